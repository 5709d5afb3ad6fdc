using IronCage.Cli;

// The process entry point: the real console, the real environment. Everything else takes them as parameters.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

return await CliApplication.RunAsync(CliContext.FromProcess(args), cancellation.Token).ConfigureAwait(false);
