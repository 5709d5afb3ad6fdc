Console.WriteLine("coming soon");
