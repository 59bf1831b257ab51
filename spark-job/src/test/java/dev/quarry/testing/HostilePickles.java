package dev.quarry.testing;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The catalogue of hostile and malformed PyTorch checkpoints: each a set of zip records (relative
 * to the folder {@code archive}), the tensor the refusal must name (or null) and words it must
 * contain. Shared by the reader's unit test and the command-line bad-input test.
 */
public final class HostilePickles {
  public static final String W = "model.layers.0.mlp.down_proj.weight";

  /** @param compressed records to deflate */
  public record Case(String label, Map<String, byte[]> records, String tensor, String phrase, String... compressed) {
    @Override
    public String toString() {
      return label;
    }

    public byte[] zip() {
      return TorchZips.zip("archive", records, compressed);
    }
  }

  private HostilePickles() {}

  /** Records of a valid one-tensor checkpoint whose data.pkl is replaced by {@code pickle}. */
  private static Map<String, byte[]> withPickle(byte[] pickle) {
    Map<String, byte[]> r = new LinkedHashMap<>(TorchZips.oneTensor(W));
    r.put("data.pkl", pickle);
    return r;
  }

  private static Case pickle(String label, PickleBytes p, String phrase) {
    return new Case(label, withPickle(p.bytes()), null, phrase);
  }

  /** A pickle refused for what it says of tensor {@link #W}. */
  private static Case tensor(String label, PickleBytes p, String phrase) {
    return new Case(label, withPickle(p.bytes()), W, phrase);
  }

  /** {@code {W: <the tensor the value builder adds>}}. */
  private static PickleBytes stateDict(long[] size, long[] stride, long offset) {
    return PickleBytes.protocol2().op('}').mark().str(W).tensor("FloatStorage", "0", 256, offset, size, stride)
        .op('u').stop();
  }

  /** @param marker a file {@code os.system} would create if anything were executed */
  public static List<Case> cases(String marker) {
    byte[] deepPickle = PickleBytes.protocol2().raw("]".repeat(200_000).getBytes(StandardCharsets.US_ASCII))
        .raw("a".repeat(199_999).getBytes(StandardCharsets.US_ASCII)).stop().bytes();
    Map<String, byte[]> bigEndian = new LinkedHashMap<>(TorchZips.oneTensor(W));
    bigEndian.put("byteorder", "big".getBytes(StandardCharsets.US_ASCII));
    Map<String, byte[]> missingStorage = new LinkedHashMap<>(TorchZips.oneTensor(W));
    missingStorage.remove("data/0");
    Map<String, byte[]> shortStorage = new LinkedHashMap<>(TorchZips.oneTensor(W));
    shortStorage.put("data/0", new byte[1000]);
    return List.of(
        pickle("os.system REDUCE", PickleBytes.protocol2().global("os", "system").str("touch " + marker).op(0x85, 'R')
            .stop(), "GLOBAL at byte 2: global os.system is not allowed"),
        pickle("nested GLOBALs in a rebuild's arguments", PickleBytes.protocol2().op('}').mark().str(W)
            .global("torch._utils", "_rebuild_tensor_v2").mark().global("builtins", "getattr").mark()
            .global("builtins", "__import__").str("os").op(0x85, 'R').str("system").op(0x86, 'R').str("touch " + marker)
            .op(0x85, 'R').op('t', 'R', 'u').stop(), "global builtins.getattr is not allowed"),
        pickle("STACK_GLOBAL posix.system", new PickleBytes().op(0x80, 4).op(0x8c, 5).raw("posix".getBytes(StandardCharsets.US_ASCII))
            .op(0x8c, 6).raw("system".getBytes(StandardCharsets.US_ASCII)).op(0x93).str("touch " + marker).op(0x85, 'R').stop(),
            "STACK_GLOBAL at byte 17: global posix.system is not allowed"),
        pickle("REDUCE on a storage type", PickleBytes.protocol2().global("torch", "FloatStorage").op(')', 'R').stop(),
            "REDUCE at byte 23: REDUCE calls torch.FloatStorage"),
        pickle("REDUCE on a string", PickleBytes.protocol2().str("os.system").op(')', 'R').stop(), "REDUCE calls a str"),
        pickle("BUILD on a tensor", PickleBytes.protocol2().op('}').mark().str(W)
            .tensor("FloatStorage", "0", 256, 0, new long[] {4, 64}, new long[] {64, 1}).op('}').str("__class__")
            .str("x").op('s', 'b', 'u').stop(), "BUILD sets the state of a tensor"),
        pickle("BUILD on a dict", PickleBytes.protocol2().op('}', '}', 'b').stop(), "BUILD sets the state of a dict"),
        pickle("non-storage persistent id", PickleBytes.protocol2().mark().str("module").str("os").op('t', 'Q').stop(),
            "persistent id a tuple of 2 is not a storage reference"),
        pickle("text persistent id", PickleBytes.protocol2().op('P').raw("os.system\n".getBytes(StandardCharsets.US_ASCII)).stop(),
            "persistent id 'os.system' is not a storage reference"),
        pickle("NEWOBJ", PickleBytes.protocol2().global("collections", "OrderedDict").op(')', 0x81).stop(),
            "NEWOBJ at byte 28: opcode not allowed"),
        pickle("huge BINUNICODE length", PickleBytes.protocol2().op('X', 0xff, 0xff, 0xff, 0xff).raw(new byte[8]),
            "BINUNICODE at byte 2: length 4294967295 exceeds the 8 bytes left"),
        pickle("huge BINUNICODE8 length", PickleBytes.protocol2().op(0x8d, 0, 0, 0, 0, 0, 0, 0, 0x80).stop(),
            "length 9223372036854775808 exceeds"),
        pickle("huge LONG4 integer", PickleBytes.protocol2().op(0x8b, 0, 0, 0, 0x40).stop(), "LONG4 at byte 2: length"),
        pickle("deep MARK nesting", PickleBytes.protocol2().raw("(".repeat(100_000).getBytes(StandardCharsets.US_ASCII)).stop(),
            "MARKs nested deeper than 64"),
        new Case("lists nested 200,000 deep", withPickle(deepPickle), null, "holds a list, not a state dict"),
        tensor("a list holding itself through the memo", PickleBytes.protocol2().op('}').mark().str(W)
            .op(']', 'q', 0, 'h', 0, 'a', 'u').stop(), "holds a list, not a tensor"),
        pickle("memo entry never stored", PickleBytes.protocol2().op('j', 0xff, 0xff, 0xff, 0x7f).stop(),
            "LONG_BINGET at byte 2: memo entry 2147483647 was never stored"),
        pickle("truncated pickle", PickleBytes.protocol2().op('}').mark().str(W), "ends before its STOP opcode"),
        tensor("strides neither row- nor column-major", stateDict(new long[] {4, 32}, new long[] {64, 2}, 0),
            "neither row-major (contiguous) nor those of a column-major matrix"),
        tensor("view beyond its storage", stateDict(new long[] {4, 64}, new long[] {64, 1}, 1),
            "reach element 256 of a storage of 256 elements"),
        new Case("storage record missing", missingStorage, W, "has no record archive/data/0"),
        new Case("storage record of the wrong size", shortStorage, W, "holds 1000 bytes"),
        new Case("compressed storage record", TorchZips.oneTensor(W), null, "record archive/data/0 is compressed",
            "data/0"),
        new Case("big-endian byte order", bigEndian, null, "little-endian checkpoints only"));
  }
}
