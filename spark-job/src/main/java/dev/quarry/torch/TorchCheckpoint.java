package dev.quarry.torch;

import dev.quarry.safetensors.CheckpointException;
import dev.quarry.safetensors.CheckpointFormatException;
import dev.quarry.safetensors.TensorEntry;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The tensors of a PyTorch checkpoint ({@code pytorch_model.bin}, torch 1.6 or later: a zip of
 * {@code <folder>/data.pkl} and one stored record {@code <folder>/data/<key>} per storage), read
 * without executing anything ({@link RestrictedUnpickler}) and described as a safetensors header
 * describes them: name, dtype, shape and byte range in the file, so that the rest of quarry reads
 * them by byte range unchanged. Views of one storage (an offset, tied weights) get their own ranges.
 * {@code dataStart} is the first storage byte, so that the bytes before it (the pickle) play the part
 * of a header; the tensors' ranges are relative to it, in the pickle's (state dict) order.
 */
public record TorchCheckpoint(long dataStart, List<TensorEntry> tensors) {
  /** The safetensors header limit; a state dict of 100,000 tensors pickles to about 10 MB. */
  public static final long MAX_PICKLE_BYTES = 100_000_000L;

  public TorchCheckpoint {
    tensors = List.copyOf(tensors);
  }

  /** Whether {@code fileName} names a PyTorch checkpoint rather than a safetensors file. */
  public static boolean isTorchFile(String fileName) {
    return fileName.endsWith(".bin") || fileName.endsWith(".pt") || fileName.endsWith(".pth");
  }

  public static TorchCheckpoint read(FileSystem fs, Path path) throws IOException {
    String file = path.toString();
    long length;
    try {
      length = fs.getFileStatus(path).getLen();
    } catch (FileNotFoundException e) {
      throw new CheckpointException(file, null, "no such file", e);
    }
    try (FSDataInputStream in = fs.open(path)) {
      return read(file, in, length);
    }
  }

  /** Reads {@code file} ({@code length} bytes, open as {@code in}). */
  static TorchCheckpoint read(String file, FSDataInputStream in, long length) throws IOException {
    Map<String, ZipRecord> records = ZipDirectory.read(file, in, length);
    String folder = folder(file, records);
    checkByteOrder(file, in, records.get(folder + "byteorder"));
    ZipRecord pickle = records.get(folder + "data.pkl");
    if (pickle.size() > MAX_PICKLE_BYTES) {
      throw new CheckpointFormatException(file, null, pickle.name() + " holds " + pickle.size()
          + " bytes, more than the limit of " + MAX_PICKLE_BYTES);
    }
    Object root = RestrictedUnpickler.load(file, pickle.name(), read(file, in, pickle));
    return describe(file, folder, records, root, pickle);
  }

  /** {@code "<folder>/"}: torch names it after the file saved to, or {@code archive} when saving to a stream. */
  private static String folder(String file, Map<String, ZipRecord> records) throws CheckpointFormatException {
    List<String> found = new ArrayList<>();
    for (String name : records.keySet()) {
      int slash = name.indexOf('/');
      if (slash > 0 && name.substring(slash + 1).equals("data.pkl")) {
        found.add(name.substring(0, slash + 1));
      }
    }
    if (found.size() != 1) {
      throw new CheckpointFormatException(file, null, found.isEmpty()
          ? "a zip file without a <folder>/data.pkl record: not a PyTorch checkpoint"
          : "a zip file with " + found.size() + " data.pkl records (" + String.join(", ", found) + "): torch writes one");
    }
    return found.get(0);
  }

  /** torch 2 records the byte order of the storages; older versions wrote only little-endian ones and no record. */
  private static void checkByteOrder(String file, FSDataInputStream in, ZipRecord record) throws IOException {
    if (record == null) {
      return;
    }
    String order = record.size() > 16 ? "?" : new String(read(file, in, record), StandardCharsets.US_ASCII);
    if (!order.equals("little")) {
      throw new CheckpointFormatException(file, null, record.name() + " says '" + RestrictedUnpickler.shortened(order)
          + "': quarry reads little-endian checkpoints only (save it again on a little-endian machine)");
    }
  }

  /** The tensors the unpickled {@code root} of record {@code pickle} describes, over the zip's {@code records}. */
  static TorchCheckpoint describe(String file, String folder, Map<String, ZipRecord> records, Object root,
      ZipRecord pickle) throws CheckpointFormatException {
    if (!(root instanceof RestrictedUnpickler.Dict dict)) {
      throw new CheckpointFormatException(file, null, pickle.name() + " holds " + RestrictedUnpickler.describe(root)
          + ", not a state dict (a dict of names to tensors)");
    }
    Map<String, PickledStorage> storages = new HashMap<>();
    List<String> names = new ArrayList<>();
    List<StoredTensor> located = new ArrayList<>();
    long dataStart = pickle.dataOffset() + pickle.size();
    for (Map.Entry<Object, Object> e : dict.entries.entrySet()) {
      if (!(e.getKey() instanceof String name)) {
        throw new CheckpointFormatException(file, null, "the state dict has a key that is "
            + RestrictedUnpickler.describe(e.getKey()) + ", not a tensor name");
      }
      if (!(e.getValue() instanceof PickledTensor t)) {
        throw new CheckpointFormatException(file, name, "holds " + RestrictedUnpickler.describe(e.getValue())
            + ", not a tensor");
      }
      PickledStorage s = t.storage();
      PickledStorage before = storages.putIfAbsent(s.key(), s);
      if (before != null && !before.equals(s)) {
        throw new CheckpointFormatException(file, name, "storage '" + RestrictedUnpickler.shortened(s.key())
            + "' is " + s.numel() + " elements of " + s.dtype() + " here, " + before.numel() + " of " + before.dtype()
            + " for an earlier tensor");
      }
      ZipRecord data = records.get(folder + "data/" + s.key());
      if (data == null) {
        throw new CheckpointFormatException(file, name, "its storage '" + RestrictedUnpickler.shortened(s.key())
            + "' has no record " + folder + "data/" + RestrictedUnpickler.shortened(s.key()));
      }
      StoredTensor stored = StoredTensor.of(file, name, t, data);
      names.add(name);
      located.add(stored);
      if (stored.byteSize() > 0) {
        dataStart = Math.min(dataStart, data.dataOffset());
      }
    }
    List<TensorEntry> entries = new ArrayList<>();
    for (int i = 0; i < located.size(); i++) {
      StoredTensor s = located.get(i);
      long begin = s.byteSize() == 0 ? 0 : s.position() - dataStart;
      entries.add(new TensorEntry(names.get(i), s.tensor().storage().dtype(), s.tensor().size(), begin,
          begin + s.byteSize(), s.columnMajor()));
    }
    return new TorchCheckpoint(dataStart, entries);
  }

  private static byte[] read(String file, FSDataInputStream in, ZipRecord record) throws IOException {
    byte[] b = new byte[(int) record.size()];
    try {
      in.readFully(record.dataOffset(), b);
    } catch (EOFException e) {
      throw new CheckpointFormatException(file, null, "file truncated while reading " + record.name(), e);
    }
    return b;
  }
}
