package dev.quarry.torch;

/** One stored (uncompressed) record of a zip file: its name and where its bytes lie in the file. */
record ZipRecord(String name, long dataOffset, long size) {}
