"""The semantic leg: the embedding model, its in-memory vector index, recall metrics."""
