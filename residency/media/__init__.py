"""Media: works, uploads, storage of files and their processing."""
