"""Knowledge base: ingestion, chunking, embeddings, hybrid search and answers."""
