from trader.cli.console import main

main()
