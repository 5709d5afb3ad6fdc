using IronCage.Samples.Quickstart;

return await Quickstart.RunAsync(args, Console.Out);
