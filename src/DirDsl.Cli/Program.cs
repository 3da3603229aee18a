return DirDsl.Cli.DirDslTool.Run(args, Console.Out, Console.Error);
