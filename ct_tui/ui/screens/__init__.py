"""One module per screen and per dialog."""
