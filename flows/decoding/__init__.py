"""Flow export formats decoded into numpy record arrays. Imports no framework: plain bytes in, arrays out."""
