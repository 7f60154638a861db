from luaurft.cli import main

main()
