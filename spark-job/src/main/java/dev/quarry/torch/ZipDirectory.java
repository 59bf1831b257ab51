package dev.quarry.torch;

import dev.quarry.safetensors.CheckpointFormatException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.FSDataInputStream;

/**
 * The records of a zip file as torch writes it (PyTorchStreamWriter, miniz): read from the central
 * directory at the end of the file with a few positioned reads, zip64 included (checkpoints over
 * 4 GB). Every record must be stored uncompressed: tensor data is read later by byte range, which a
 * compressed record would not allow. Only the directory and the local headers are read here.
 */
final class ZipDirectory {
  /** No checkpoint needs a larger central directory (a million tensors take about 80 MB). */
  static final long MAX_DIRECTORY_BYTES = 256L << 20;

  private static final int EOCD = 0x06054b50;
  private static final int EOCD_BYTES = 22;
  private static final int ZIP64_LOCATOR = 0x07064b50;
  private static final int ZIP64_LOCATOR_BYTES = 20;
  private static final int ZIP64_EOCD = 0x06064b50;
  private static final int ZIP64_EOCD_BYTES = 56;
  private static final int CENTRAL = 0x02014b50;
  private static final int CENTRAL_BYTES = 46;
  private static final int LOCAL = 0x04034b50;
  private static final int LOCAL_BYTES = 30;
  private static final int ZIP64_EXTRA = 0x0001;
  private static final long MAX_U32 = 0xffffffffL;
  private static final int MAX_COMMENT = 0xffff;

  private final String file;
  private final FSDataInputStream in;
  private final long length;
  private final Map<String, ZipRecord> records = new LinkedHashMap<>();

  private ZipDirectory(String file, FSDataInputStream in, long length) {
    this.file = file;
    this.in = in;
    this.length = length;
  }

  /** The stored records of {@code file} ({@code length} bytes, open as {@code in}) by name, in directory order. */
  static Map<String, ZipRecord> read(String file, FSDataInputStream in, long length) throws IOException {
    ZipDirectory d = new ZipDirectory(file, in, length);
    d.readDirectory();
    return d.records;
  }

  private void readDirectory() throws IOException {
    int tailLength = (int) Math.min(length, EOCD_BYTES + MAX_COMMENT);
    ByteBuffer tail = read(length - tailLength, tailLength);
    int eocd = -1;
    // the end record is followed by a comment of up to 64 KiB: search back for a signature whose comment length fits
    for (int p = tailLength - EOCD_BYTES; p >= 0 && eocd < 0; p--) {
      if (tail.getInt(p) == EOCD && p + EOCD_BYTES + (tail.getShort(p + 20) & 0xffff) == tailLength) {
        eocd = p;
      }
    }
    if (eocd < 0) {
      int start = length >= 4 ? read(0, 4).getInt(0) : 0;
      throw fail(start == LOCAL ? "a truncated or damaged zip file: it has no end of central directory"
          : isLegacyPickle() ? "a PyTorch checkpoint in the legacy format of torch before 1.6, which quarry"
          + " does not read: load it and save it again with a newer torch (or convert it to safetensors)"
          : "not a zip file (torch.save has written zip files since torch 1.6)");
    }
    long eocdPosition = length - tailLength + eocd;
    long entries = tail.getShort(eocd + 10) & 0xffff;
    long directoryBytes = tail.getInt(eocd + 12) & MAX_U32;
    long directoryStart = tail.getInt(eocd + 16) & MAX_U32;
    if (eocdPosition >= ZIP64_LOCATOR_BYTES) {
      ByteBuffer locator = read(eocdPosition - ZIP64_LOCATOR_BYTES, ZIP64_LOCATOR_BYTES);
      if (locator.getInt(0) == ZIP64_LOCATOR) {
        ByteBuffer end64 = read(checkedPosition(locator.getLong(8), ZIP64_EOCD_BYTES, "zip64 end record"), ZIP64_EOCD_BYTES);
        if (end64.getInt(0) != ZIP64_EOCD) {
          throw fail("damaged zip file: no zip64 end record where its locator points");
        }
        entries = end64.getLong(32);
        directoryBytes = end64.getLong(40);
        directoryStart = end64.getLong(48);
      }
    }
    if (directoryBytes < 0 || directoryBytes > MAX_DIRECTORY_BYTES) {
      throw fail("zip central directory of " + Long.toUnsignedString(directoryBytes) + " bytes exceeds the limit of "
          + MAX_DIRECTORY_BYTES);
    }
    ByteBuffer directory = read(checkedPosition(directoryStart, directoryBytes, "zip central directory"), (int) directoryBytes);
    int p = 0;
    for (long i = 0; i < entries; i++) {
      p = readEntry(directory, p);
    }
  }

  /** Reads the directory entry at {@code p}; returns the position of the next one. */
  private int readEntry(ByteBuffer d, int p) throws IOException {
    if (p + CENTRAL_BYTES > d.limit() || d.getInt(p) != CENTRAL) {
      throw fail("damaged zip file: the central directory holds fewer entries than its end record says");
    }
    int flags = d.getShort(p + 8) & 0xffff;
    int method = d.getShort(p + 10) & 0xffff;
    long compressed = d.getInt(p + 20) & MAX_U32;
    long size = d.getInt(p + 24) & MAX_U32;
    int nameLength = d.getShort(p + 28) & 0xffff;
    int extraLength = d.getShort(p + 30) & 0xffff;
    int commentLength = d.getShort(p + 32) & 0xffff;
    long localHeader = d.getInt(p + 42) & MAX_U32;
    int next = p + CENTRAL_BYTES + nameLength + extraLength + commentLength;
    if (next > d.limit()) {
      throw fail("damaged zip file: a central directory entry runs past the directory's end");
    }
    String name = utf8(d, p + CENTRAL_BYTES, nameLength);
    // zip64: the sizes and offset that do not fit 32 bits are in the extra field, in this order
    for (int e = p + CENTRAL_BYTES + nameLength; e + 4 <= p + CENTRAL_BYTES + nameLength + extraLength; ) {
      int id = d.getShort(e) & 0xffff;
      int dataLength = d.getShort(e + 2) & 0xffff;
      if (id == ZIP64_EXTRA) {
        int q = e + 4;
        int end = Math.min(q + dataLength, p + CENTRAL_BYTES + nameLength + extraLength);
        if (size == MAX_U32 && q + 8 <= end) {
          size = d.getLong(q);
          q += 8;
        }
        if (compressed == MAX_U32 && q + 8 <= end) {
          compressed = d.getLong(q);
          q += 8;
        }
        if (localHeader == MAX_U32 && q + 8 <= end) {
          localHeader = d.getLong(q);
        }
      }
      e += 4 + dataLength;
    }
    if ((flags & 1) != 0) {
      throw fail("record " + name + " is encrypted");
    }
    if (method != 0 || compressed != size) {
      throw fail("record " + name + " is compressed (zip method " + method + "); quarry reads only records stored"
          + " uncompressed, as torch.save writes them, because it reads tensor data by byte range");
    }
    ByteBuffer local = read(checkedPosition(localHeader, LOCAL_BYTES, "local header of record " + name), LOCAL_BYTES);
    if (local.getInt(0) != LOCAL) {
      throw fail("damaged zip file: no local header where the directory places record " + name);
    }
    // the local extra field differs from the central one: torch pads it to align tensor data to 64 bytes
    long dataOffset = localHeader + LOCAL_BYTES + (local.getShort(26) & 0xffff) + (local.getShort(28) & 0xffff);
    checkedPosition(dataOffset, size, "data of record " + name);
    if (records.put(name, new ZipRecord(name, dataOffset, size)) != null) {
      throw fail("damaged zip file: record " + name + " appears twice");
    }
    return next;
  }

  /** {@code position} when {@code [position, position + bytes)} lies within the file; else an error naming {@code what}. */
  private long checkedPosition(long position, long bytes, String what) throws CheckpointFormatException {
    if (position < 0 || bytes < 0 || position > length || bytes > length - position) {
      throw fail("damaged or truncated zip file: the " + what + " (" + Long.toUnsignedString(bytes) + " bytes at "
          + Long.toUnsignedString(position) + ") lies beyond the file's " + length + " bytes");
    }
    return position;
  }

  /** torch before 1.6 wrote a bare pickle starting with the PROTO opcode and its magic number as a LONG1. */
  private boolean isLegacyPickle() throws IOException {
    if (length < 3) {
      return false;
    }
    ByteBuffer head = read(0, 3);
    return head.get(0) == (byte) 0x80 && head.get(2) == (byte) 0x8a;
  }

  private ByteBuffer read(long position, int bytes) throws IOException {
    byte[] b = new byte[bytes];
    try {
      in.readFully(position, b);
    } catch (EOFException e) {
      throw new CheckpointFormatException(file, null, "file truncated while reading its zip directory", e);
    }
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
  }

  private String utf8(ByteBuffer d, int at, int bytes) throws CheckpointFormatException {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(d.slice(at, bytes)).toString();
    } catch (CharacterCodingException e) {
      throw fail("a zip record name is not valid UTF-8");
    }
  }

  private CheckpointFormatException fail(String problem) {
    return new CheckpointFormatException(file, null, problem);
  }
}
