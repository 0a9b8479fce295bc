"""Cities: the 22 UNESCO Creative Cities of Media Arts."""
