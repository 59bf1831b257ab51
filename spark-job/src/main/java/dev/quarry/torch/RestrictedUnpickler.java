package dev.quarry.torch;

import dev.quarry.safetensors.CheckpointFormatException;
import dev.quarry.safetensors.Dtype;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a pickle the way torch's {@code weights_only=True} loader does, and stricter: it builds
 * plain values (None, bool, int, float, str, bytes, tuple, list, dict), and the only names a pickle
 * may use are {@code torch._utils._rebuild_tensor_v2}, {@code torch._utils._rebuild_parameter},
 * {@code collections.OrderedDict} and torch's storage types ({@code torch.BFloat16Storage}...), whose
 * effect it reproduces as values ({@link PickledTensor}, {@link PickledStorage}). Nothing from the
 * input is ever called: any other global, a REDUCE of anything else, a BUILD of anything but an
 * OrderedDict's attributes, a persistent id that is not a storage, and every object-making opcode
 * are refused with the opcode, its byte position and the name at fault. The machine is iterative
 * and bounded (values, memo, MARK depth, line and string lengths), so a hostile pickle can neither
 * recurse nor exhaust the driver's memory.
 */
final class RestrictedUnpickler {
  /**
   * A tensor takes about 20 values (its key, storage tuple, sizes, strides...), so this admits some
   * 200,000 tensors in one file while a pickle of one-byte EMPTY_DICTs stays within a few hundred MB.
   */
  static final int MAX_VALUES = 4_000_000;
  static final int MAX_MEMO = 4_000_000;
  static final int MAX_MARK_DEPTH = 64;
  static final int MAX_LINE = 1024;
  /** Python's own highest protocol. */
  static final int MAX_PROTOCOL = 5;

  private static final String ALLOWED = "a checkpoint may only use torch._utils._rebuild_tensor_v2,"
      + " torch._utils._rebuild_parameter, collections.OrderedDict and torch storage types such as torch.BFloat16Storage";

  /**
   * The storage types torch writes in persistent ids, by class name, with the dtype of their elements:
   * every legacy storage class whose dtype safetensors has.
   */
  private static final Map<String, Dtype> STORAGE_TYPES = Map.ofEntries(
      Map.entry("DoubleStorage", Dtype.F64), Map.entry("FloatStorage", Dtype.F32), Map.entry("HalfStorage", Dtype.F16),
      Map.entry("BFloat16Storage", Dtype.BF16), Map.entry("LongStorage", Dtype.I64), Map.entry("IntStorage", Dtype.I32),
      Map.entry("ShortStorage", Dtype.I16), Map.entry("CharStorage", Dtype.I8), Map.entry("ByteStorage", Dtype.U8),
      Map.entry("BoolStorage", Dtype.BOOL), Map.entry("ComplexFloatStorage", Dtype.C64));

  /** The callables a pickle may name: what calling each builds is reproduced, never executed. */
  private enum Callable {
    REBUILD_TENSOR("torch._utils._rebuild_tensor_v2"),
    REBUILD_PARAMETER("torch._utils._rebuild_parameter"),
    ORDERED_DICT("collections.OrderedDict");

    final String qualifiedName;

    Callable(String qualifiedName) {
      this.qualifiedName = qualifiedName;
    }
  }

  /** A storage type named by a global, usable only inside a persistent id. */
  private record StorageType(String qualifiedName, Dtype dtype) {}

  /** A Python tuple. Not a record: values may form cycles (through the memo), so nothing here recurses. */
  static final class Tuple {
    final List<Object> items;

    Tuple(List<Object> items) {
      this.items = items;
    }
  }

  /** A Python dict or OrderedDict, keys in insertion order; keys are scalars (str, int, float, bool, None). */
  static final class Dict {
    final boolean ordered;
    final LinkedHashMap<Object, Object> entries = new LinkedHashMap<>();

    Dict(boolean ordered) {
      this.ordered = ordered;
    }
  }


  private final String file;
  private final String record;
  private final ByteBuffer in;
  private final List<Object> stack = new ArrayList<>();
  private final List<Integer> marks = new ArrayList<>();
  private final Map<Long, Object> memo = new HashMap<>();
  private int values;
  private int opcodeAt;
  private String opcode;

  private RestrictedUnpickler(String file, String record, byte[] pickle) {
    this.file = file;
    this.record = record;
    this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * The value the pickle {@code bytes} (record {@code record} of {@code file}, both for messages)
   * holds: null, Boolean, Long, Double, String, byte[], {@link Tuple}, List, {@link Dict},
   * {@link PickledTensor}.
   */
  static Object load(String file, String record, byte[] bytes) throws CheckpointFormatException {
    return new RestrictedUnpickler(file, record, bytes).run();
  }

  private Object run() throws CheckpointFormatException {
    while (true) {
      if (!in.hasRemaining()) {
        opcodeAt = in.position();
        opcode = "end of data";
        throw fail("truncated: the pickle ends before its STOP opcode");
      }
      opcodeAt = in.position();
      int op = in.get() & 0xff;
      opcode = PickleOpcodes.name(op);
      if (op == '.') {
        if (stack.size() != 1 || !marks.isEmpty()) {
          throw fail("malformed pickle: STOP with " + stack.size() + " values on the stack and " + marks.size()
              + " open MARKs (expected one value)");
        }
        if (in.hasRemaining()) {
          throw fail(in.remaining() + " bytes after the STOP opcode");
        }
        return stack.get(0);
      }
      step(op);
    }
  }

  private void step(int op) throws CheckpointFormatException {
    switch (op) {
      case 0x80 -> {
        int protocol = u8();
        if (protocol > MAX_PROTOCOL) {
          throw fail("unknown pickle protocol " + protocol);
        }
      }
      case 0x95 -> fixed(8); // FRAME: a length hint of protocol 4; the data follows inline
      case '(' -> {
        if (marks.size() >= MAX_MARK_DEPTH) {
          throw fail("MARKs nested deeper than " + MAX_MARK_DEPTH);
        }
        marks.add(stack.size());
      }
      case '0' -> pop();
      case '1' -> popMark();
      case 'N' -> push(null);
      case 0x88 -> push(Boolean.TRUE);
      case 0x89 -> push(Boolean.FALSE);
      case 'I' -> push(textInt(line()));
      case 'L' -> push(textLong(line()));
      case 'J' -> push((long) fixed(4).getInt());
      case 'K' -> push((long) u8());
      case 'M' -> push((long) (fixed(2).getShort() & 0xffff));
      case 0x8a -> push(littleEndianInt(u8()));
      case 0x8b -> push(littleEndianInt(length(fixed(4).getInt() & 0xffffffffL)));
      case 'F' -> push(textFloat(line()));
      case 'G' -> push(fixed(8).order(ByteOrder.BIG_ENDIAN).getDouble());
      case 'X' -> push(utf8(bytes(length(fixed(4).getInt() & 0xffffffffL))));
      case 0x8c -> push(utf8(bytes(u8())));
      case 0x8d -> push(utf8(bytes(length(fixed(8).getLong()))));
      case 'B' -> push(bytes(length(fixed(4).getInt() & 0xffffffffL)));
      case 'C' -> push(bytes(u8()));
      case 0x8e -> push(bytes(length(fixed(8).getLong())));
      case ')' -> push(new Tuple(List.of()));
      case 't' -> push(new Tuple(popMark()));
      case 0x85, 0x86, 0x87 -> push(new Tuple(popN(op - 0x84)));
      case ']' -> push(new ArrayList<>());
      case 'l' -> push(new ArrayList<>(popMark()));
      case 'a' -> {
        Object value = pop();
        list(peek()).add(value);
      }
      case 'e' -> {
        List<Object> items = popMark();
        list(peek()).addAll(items);
      }
      case '}' -> push(new Dict(false));
      case 'd' -> {
        Dict d = new Dict(false);
        setItems(d, popMark());
        push(d);
      }
      case 's' -> {
        List<Object> pair = popN(2);
        setItems(dict(peek()), pair);
      }
      case 'u' -> {
        List<Object> items = popMark();
        setItems(dict(peek()), items);
      }
      case 'p' -> memoize(textIndex(line()));
      case 'q' -> memoize(u8());
      case 'r' -> memoize(fixed(4).getInt() & 0xffffffffL);
      case 0x94 -> memoize(memo.size());
      case 'g' -> recall(textIndex(line()));
      case 'h' -> recall(u8());
      case 'j' -> recall(fixed(4).getInt() & 0xffffffffL);
      case 'c' -> {
        String module = line();
        push(global(module, line()));
      }
      case 0x93 -> {
        Object name = pop();
        Object module = pop();
        if (!(module instanceof String m) || !(name instanceof String n)) {
          throw fail("STACK_GLOBAL needs a module and a name as strings, got " + describe(module) + " and " + describe(name));
        }
        push(global(m, n));
      }
      case 'R' -> {
        Object args = pop();
        Object callable = pop();
        push(reduce(callable, args));
      }
      case 'b' -> {
        Object state = pop();
        build(peek(), state);
      }
      case 'Q' -> push(persistentStorage(pop()));
      case 'P' -> throw fail("persistent id '" + line() + "' is not a storage reference (torch writes storages as"
          + " ('storage', storage type, key, location, numel) tuples)");
      default -> throw fail("opcode not allowed: " + ALLOWED + "; objects, sets, extensions and buffers are refused");
    }
  }

  private Object global(String module, String name) throws CheckpointFormatException {
    String qualified = module + "." + name;
    for (Callable c : Callable.values()) {
      if (c.qualifiedName.equals(qualified)) {
        return c;
      }
    }
    if (module.equals("torch") && STORAGE_TYPES.containsKey(name)) {
      return new StorageType(qualified, STORAGE_TYPES.get(name));
    }
    throw fail("global " + shortened(qualified) + " is not allowed: " + ALLOWED);
  }

  private Object reduce(Object callable, Object args) throws CheckpointFormatException {
    if (!(callable instanceof Callable c)) {
      throw fail("REDUCE calls " + describe(callable) + "; only " + Callable.REBUILD_TENSOR.qualifiedName + ", "
          + Callable.REBUILD_PARAMETER.qualifiedName + " and " + Callable.ORDERED_DICT.qualifiedName + " may be called");
    }
    if (!(args instanceof Tuple t)) {
      throw fail(c.qualifiedName + " called with " + describe(args) + " instead of an argument tuple");
    }
    List<Object> a = t.items;
    switch (c) {
      case ORDERED_DICT:
        if (!a.isEmpty()) {
          throw fail(c.qualifiedName + " called with " + a.size() + " arguments; torch pickles it with none");
        }
        return new Dict(true);
      case REBUILD_PARAMETER:
        // (data, requires_grad, backward_hooks): the parameter is its data
        if (a.size() != 3 || !(a.get(0) instanceof PickledTensor) || !(a.get(1) instanceof Boolean)) {
          throw fail(c.qualifiedName + " needs (tensor, requires_grad, backward_hooks), got " + describeAll(a));
        }
        noHooks(c, a.get(2));
        return a.get(0);
      default:
        return rebuildTensor(c, a);
    }
  }

  /** {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])}. */
  private PickledTensor rebuildTensor(Callable c, List<Object> a) throws CheckpointFormatException {
    if (a.size() < 6 || a.size() > 7 || !(a.get(0) instanceof PickledStorage storage)
        || !(a.get(1) instanceof Long offset) || !(a.get(2) instanceof Tuple size) || !(a.get(3) instanceof Tuple stride)
        || !(a.get(4) instanceof Boolean)) {
      throw fail(c.qualifiedName + " needs (storage, storage_offset, size, stride, requires_grad, backward_hooks),"
          + " got " + describeAll(a));
    }
    noHooks(c, a.get(5));
    if (a.size() == 7 && !(a.get(6) instanceof Dict metadata && metadata.entries.isEmpty())) {
      throw fail(c.qualifiedName + " with tensor metadata (" + describe(a.get(6)) + "), which quarry does not read");
    }
    if (offset < 0 || size.items.size() != stride.items.size()) {
      throw fail(c.qualifiedName + " with storage offset " + offset + ", " + size.items.size() + " sizes and "
          + stride.items.size() + " strides");
    }
    return new PickledTensor(storage, offset, nonNegative(c, "size", size), nonNegative(c, "stride", stride));
  }

  private List<Long> nonNegative(Callable c, String what, Tuple t) throws CheckpointFormatException {
    List<Long> out = new ArrayList<>();
    for (Object o : t.items) {
      if (!(o instanceof Long n) || n < 0) {
        throw fail(c.qualifiedName + ": its " + what + " must hold non-negative integers, got " + describe(o));
      }
      out.add(n);
    }
    return out;
  }

  /** Backward hooks would be functions; torch pickles a tensor without them as an empty OrderedDict. */
  private void noHooks(Callable c, Object hooks) throws CheckpointFormatException {
    if (!(hooks instanceof Dict d && d.entries.isEmpty())) {
      throw fail(c.qualifiedName + " with backward hooks (" + describe(hooks) + "); only an empty OrderedDict is allowed");
    }
  }

  /** BUILD sets an object's state; the one harmless case is the attributes of an OrderedDict (a state dict's _metadata). */
  private void build(Object target, Object state) throws CheckpointFormatException {
    if (!(target instanceof Dict d && d.ordered) || !(state instanceof Dict s && !s.ordered)) {
      throw fail("BUILD sets the state of " + describe(target) + " to " + describe(state)
          + "; only an OrderedDict's attributes may be set (the _metadata of a state dict)");
    }
    for (Object key : s.entries.keySet()) {
      if (!(key instanceof String)) {
        throw fail("BUILD sets an OrderedDict attribute named by " + describe(key));
      }
    }
  }

  /** {@code ('storage', storage type, key, location, numel)}, as torch's persistent_id writes it. */
  private PickledStorage persistentStorage(Object pid) throws CheckpointFormatException {
    if (pid instanceof Tuple t && t.items.size() == 5 && "storage".equals(t.items.get(0))
        && t.items.get(1) instanceof StorageType type && t.items.get(2) instanceof String key
        && t.items.get(3) instanceof String && t.items.get(4) instanceof Long numel && numel >= 0) {
      return new PickledStorage(key, type.dtype(), numel);
    }
    throw fail("persistent id " + describe(pid) + " is not a storage reference (torch writes storages as"
        + " ('storage', storage type, key, location, numel) tuples)");
  }

  private void setItems(Dict d, List<Object> items) throws CheckpointFormatException {
    if (items.size() % 2 != 0) {
      throw fail("an odd number of values (" + items.size() + ") for dict keys and values");
    }
    for (int i = 0; i < items.size(); i += 2) {
      Object key = items.get(i);
      if (!(key == null || key instanceof String || key instanceof Long || key instanceof Double
          || key instanceof Boolean)) {
        throw fail("a dict key is " + describe(key) + "; only strings, numbers, booleans and None are allowed");
      }
      if (d.entries.containsKey(key)) {
        throw fail("dict key " + describe(key) + (key instanceof String s ? " '" + shortened(s) + "'" : "")
            + " set twice");
      }
      d.entries.put(key, items.get(i + 1));
    }
  }

  @SuppressWarnings("unchecked")
  private List<Object> list(Object target) throws CheckpointFormatException {
    if (!(target instanceof ArrayList<?> l)) {
      throw fail("appends to " + describe(target) + ", not a list");
    }
    return (List<Object>) l;
  }

  private Dict dict(Object target) throws CheckpointFormatException {
    if (!(target instanceof Dict d)) {
      throw fail("sets an item of " + describe(target) + ", not a dict");
    }
    return d;
  }

  private void memoize(long index) throws CheckpointFormatException {
    if (memo.size() >= MAX_MEMO && !memo.containsKey(index)) {
      throw fail("more than " + MAX_MEMO + " memo entries");
    }
    memo.put(index, peek());
  }

  private void recall(long index) throws CheckpointFormatException {
    if (!memo.containsKey(index)) {
      throw fail("memo entry " + index + " was never stored");
    }
    pushExisting(memo.get(index));
  }

  private void push(Object value) throws CheckpointFormatException {
    if (++values > MAX_VALUES) {
      throw fail("more than " + MAX_VALUES + " values");
    }
    pushExisting(value);
  }

  private void pushExisting(Object value) throws CheckpointFormatException {
    if (stack.size() >= MAX_VALUES) {
      throw fail("more than " + MAX_VALUES + " values on the stack");
    }
    stack.add(value);
  }

  private Object peek() throws CheckpointFormatException {
    if (stack.size() <= floor()) {
      throw fail("malformed pickle: needs a value but the stack is empty");
    }
    return stack.get(stack.size() - 1);
  }

  private Object pop() throws CheckpointFormatException {
    Object top = peek();
    stack.remove(stack.size() - 1);
    return top;
  }

  private List<Object> popN(int n) throws CheckpointFormatException {
    if (stack.size() - floor() < n) {
      throw fail("malformed pickle: needs " + n + " values, the stack holds " + (stack.size() - floor()));
    }
    List<Object> top = stack.subList(stack.size() - n, stack.size());
    List<Object> out = new ArrayList<>(top);
    top.clear();
    return out;
  }

  private List<Object> popMark() throws CheckpointFormatException {
    if (marks.isEmpty()) {
      throw fail("malformed pickle: no MARK to pop to");
    }
    int mark = marks.remove(marks.size() - 1);
    List<Object> top = stack.subList(mark, stack.size());
    List<Object> out = new ArrayList<>(top);
    top.clear();
    return out;
  }

  /** Values below the innermost MARK belong to an enclosing opcode and cannot be popped singly. */
  private int floor() {
    return marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
  }

  private int u8() throws CheckpointFormatException {
    return fixed(1).get() & 0xff;
  }

  private ByteBuffer fixed(int n) throws CheckpointFormatException {
    return ByteBuffer.wrap(bytes(n)).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** A length read from the pickle, refused when more bytes than are left. */
  private int length(long n) throws CheckpointFormatException {
    if (n < 0 || n > in.remaining()) {
      throw fail("length " + Long.toUnsignedString(n) + " exceeds the " + in.remaining() + " bytes left (truncated or hostile)");
    }
    return (int) n;
  }

  private byte[] bytes(int n) throws CheckpointFormatException {
    if (n > in.remaining()) {
      throw fail("truncated: needs " + n + " bytes, " + in.remaining() + " left");
    }
    byte[] b = new byte[n];
    in.get(b);
    return b;
  }

  /** A text argument of the protocol-0 opcodes, up to its newline. */
  private String line() throws CheckpointFormatException {
    int start = in.position();
    int limit = Math.min(in.limit(), start + MAX_LINE);
    for (int p = start; p < limit; p++) {
      if (in.get(p) == '\n') {
        byte[] b = new byte[p - start];
        in.get(b);
        in.get();
        return utf8(b);
      }
    }
    throw fail("a text argument without a newline within " + MAX_LINE + " bytes");
  }

  private Object textInt(String s) throws CheckpointFormatException {
    if (s.equals("01") || s.equals("00")) {
      return s.equals("01"); // protocol 0 writes True and False so
    }
    return textLong(s);
  }

  private Long textLong(String s) throws CheckpointFormatException {
    String digits = s.endsWith("L") ? s.substring(0, s.length() - 1) : s;
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      throw fail("'" + shortened(s) + "' is not a 64-bit integer");
    }
  }

  private Double textFloat(String s) throws CheckpointFormatException {
    if (!s.matches("[-+]?(\\d+\\.?\\d*([eE][-+]?\\d+)?|inf|nan)")) {
      throw fail("'" + shortened(s) + "' is not a float");
    }
    return s.endsWith("inf") ? (s.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY)
        : s.endsWith("nan") ? Double.NaN : Double.parseDouble(s);
  }

  private long textIndex(String s) throws CheckpointFormatException {
    Long n = textLong(s);
    if (n < 0) {
      throw fail("negative memo index " + n);
    }
    return n;
  }

  /** A two's-complement little-endian integer of {@code n} bytes (LONG1, LONG4), at most 64 bits. */
  private Long littleEndianInt(int n) throws CheckpointFormatException {
    if (n > 8) {
      throw fail("an integer of " + n + " bytes (quarry reads integers of up to 64 bits)");
    }
    byte[] b = bytes(n);
    long v = 0;
    for (int i = n - 1; i >= 0; i--) {
      v = (v << 8) | (b[i] & 0xff);
    }
    return n == 0 ? 0L : v << (64 - 8 * n) >> (64 - 8 * n);
  }

  private String utf8(byte[] b) throws CheckpointFormatException {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      throw fail("a string that is not valid UTF-8");
    }
  }

  /** What a value is, in Python's words, without printing it (values may be huge or cyclic). */
  static String describe(Object v) {
    if (v == null) {
      return "None";
    } else if (v instanceof Boolean) {
      return "a bool";
    } else if (v instanceof Long) {
      return "an int";
    } else if (v instanceof Double) {
      return "a float";
    } else if (v instanceof String) {
      return "a str";
    } else if (v instanceof byte[]) {
      return "bytes";
    } else if (v instanceof Tuple t) {
      return "a tuple of " + t.items.size();
    } else if (v instanceof List<?>) {
      return "a list";
    } else if (v instanceof Dict d) {
      return d.ordered ? "an OrderedDict" : "a dict";
    } else if (v instanceof Callable c) {
      return c.qualifiedName;
    } else if (v instanceof StorageType s) {
      return s.qualifiedName;
    } else if (v instanceof PickledStorage) {
      return "a storage";
    } else if (v instanceof PickledTensor) {
      return "a tensor";
    }
    return "a value";
  }

  private static String describeAll(List<Object> values) {
    List<String> out = new ArrayList<>();
    for (Object v : values) {
      out.add(describe(v));
    }
    return "(" + String.join(", ", out) + ")";
  }

  /** A name from the input as a message quotes it: at most 200 characters (the CLI escapes control characters). */
  static String shortened(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }

  private CheckpointFormatException fail(String problem) {
    return new CheckpointFormatException(file, null, record + ": " + opcode + " at byte " + opcodeAt + ": " + problem);
  }
}
