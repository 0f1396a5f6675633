from memory_mcp.adapters.cli import main

main()
