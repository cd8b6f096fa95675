from teeckin.cli import main

main()
