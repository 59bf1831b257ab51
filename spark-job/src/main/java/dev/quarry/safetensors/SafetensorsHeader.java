package dev.quarry.safetensors;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The validated header of one safetensors file: the tensors in data order, their lookup by name,
 * the {@code __metadata__} map and where the data section starts. Immutable.
 */
public final class SafetensorsHeader {
  private final List<TensorEntry> tensors;
  private final Map<String, TensorEntry> byName;
  private final Map<String, String> metadata;
  private final long dataStart;

  SafetensorsHeader(List<TensorEntry> tensorsInDataOrder, Map<String, String> metadata, long dataStart) {
    this.tensors = List.copyOf(tensorsInDataOrder);
    Map<String, TensorEntry> names = new LinkedHashMap<>();
    for (TensorEntry t : tensors) {
      names.put(t.name(), t);
    }
    this.byName = Collections.unmodifiableMap(names);
    this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    this.dataStart = dataStart;
  }

  /** Every tensor, ordered by its position in the data section. */
  public List<TensorEntry> tensors() {
    return tensors;
  }

  /** The tensor of that name, or null. */
  public TensorEntry tensor(String name) {
    return byName.get(name);
  }

  /** The {@code __metadata__} entries (empty when the file has none). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** File position of the first data byte: 8 + the header length. */
  public long dataStart() {
    return dataStart;
  }
}
