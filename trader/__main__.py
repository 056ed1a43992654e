from trader.cli.app import main

main()
