from advisory.cli import main

main()
