from teeckin.cli.app import main

main()
