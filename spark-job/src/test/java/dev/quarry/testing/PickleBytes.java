package dev.quarry.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes pickle opcodes by hand, as torch.save (protocol 2) lays them out, so that tests can make
 * valid state dicts and hostile pickles without Python or torch. Each method appends one opcode (or
 * one value) and returns this builder.
 */
public final class PickleBytes {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  /** {@code PROTO 2}, as torch.save writes. */
  public static PickleBytes protocol2() {
    return new PickleBytes().op(0x80).op(2);
  }

  public PickleBytes op(int... opcodes) {
    for (int b : opcodes) {
      out.write(b);
    }
    return this;
  }

  public PickleBytes raw(byte[] bytes) {
    out.writeBytes(bytes);
    return this;
  }

  public PickleBytes mark() {
    return op('(');
  }

  public PickleBytes stop() {
    return op('.');
  }

  /** {@code GLOBAL 'module name'}: the protocol-2 way of naming a callable. */
  public PickleBytes global(String module, String name) {
    return op('c').raw((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** BINUNICODE. */
  public PickleBytes str(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return op('X').raw(le(4).putInt(b.length).array()).raw(b);
  }

  /** BININT1, BININT2, BININT or LONG1, as Python chooses. */
  public PickleBytes integer(long v) {
    if (v >= 0 && v < 256) {
      return op('K', (int) v);
    }
    if (v >= 0 && v < 65536) {
      return op('M').raw(le(2).putShort((short) v).array());
    }
    if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
      return op('J').raw(le(4).putInt((int) v).array());
    }
    return op(0x8a, 8).raw(le(8).putLong(v).array());
  }

  public PickleBytes bool(boolean b) {
    return op(b ? 0x88 : 0x89);
  }

  /** MARK, the values, TUPLE. */
  public PickleBytes tuple(long... values) {
    mark();
    for (long v : values) {
      integer(v);
    }
    return op('t');
  }

  /** An empty OrderedDict as torch pickles backward hooks: {@code collections.OrderedDict()}. */
  public PickleBytes emptyOrderedDict() {
    return global("collections", "OrderedDict").op(')', 'R');
  }

  /** {@code ('storage', torch.<type>, key, 'cpu', numel)} and BINPERSID. */
  public PickleBytes storage(String type, String key, long numel) {
    mark().str("storage").global("torch", type).str(key).str("cpu").integer(numel).op('t');
    return op('Q');
  }

  /** {@code _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())}, as torch.save writes a tensor. */
  public PickleBytes tensor(String type, String key, long numel, long offset, long[] size, long[] stride) {
    global("torch._utils", "_rebuild_tensor_v2").mark();
    storage(type, key, numel).integer(offset).tuple(size).tuple(stride).bool(false).emptyOrderedDict();
    return op('t', 'R');
  }

  public byte[] bytes() {
    return out.toByteArray();
  }

  private static ByteBuffer le(int n) {
    return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
  }
}
