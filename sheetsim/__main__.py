from sheetsim.cli import main

main()
