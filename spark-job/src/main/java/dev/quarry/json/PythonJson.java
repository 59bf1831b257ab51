package dev.quarry.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Python's {@code json.dumps} for plain Java values, byte for byte, because the files quarry writes
 * must equal what bitsandbytes and transformers write with it: the packed quant_state
 * ({@code json.dumps(d)}: separators {@code ", "} and {@code ": "}) and config.json / index.json
 * ({@code json.dumps(d, indent=2, sort_keys=True)}). Values: {@link Map} with String keys (in its
 * iteration order unless sorted), {@link List}, String, Boolean, null, integral numbers, and
 * Float/Double (a Float is printed as the double it widens to, like {@code float(np.float32(x))}).
 * Strings are escaped as with the default {@code ensure_ascii=True}.
 */
public final class PythonJson {
  private PythonJson() {}

  /** {@code json.dumps(value)}. */
  public static String dumps(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value, -1, false, 0);
    return sb.toString();
  }

  /** {@code json.dumps(value, indent=2, sort_keys=sortKeys)}. */
  public static String dumpsIndented(Object value, boolean sortKeys) {
    StringBuilder sb = new StringBuilder();
    write(sb, value, 2, sortKeys, 0);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object v, int indent, boolean sortKeys, int depth) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof String s) {
      string(sb, s);
    } else if (v instanceof Boolean b) {
      sb.append(b ? "true" : "false");
    } else if (v instanceof Float f) {
      sb.append(floatLiteral(f.doubleValue()));
    } else if (v instanceof Double d) {
      sb.append(floatLiteral(d));
    } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
        || v instanceof BigInteger) {
      sb.append(v);
    } else if (v instanceof BigDecimal d) {
      sb.append(floatLiteral(d.doubleValue()));
    } else if (v instanceof Map<?, ?> m) {
      List<String> keys = new ArrayList<>();
      for (Object k : m.keySet()) {
        keys.add((String) k);
      }
      if (sortKeys) {
        Collections.sort(keys);
      }
      container(sb, '{', '}', keys.size(), indent, depth, i -> {
        string(sb, keys.get(i));
        sb.append(": ");
        write(sb, m.get(keys.get(i)), indent, sortKeys, depth + 1);
      });
    } else if (v instanceof List<?> list) {
      container(sb, '[', ']', list.size(), indent, depth, i -> write(sb, list.get(i), indent, sortKeys, depth + 1));
    } else {
      throw new IllegalArgumentException("not a JSON value: " + v.getClass().getName());
    }
  }

  private static void container(StringBuilder sb, char open, char close, int size, int indent, int depth,
      IntConsumer item) {
    sb.append(open);
    if (size == 0) {
      sb.append(close);
      return;
    }
    for (int i = 0; i < size; i++) {
      if (indent < 0) {
        sb.append(i == 0 ? "" : ", ");
      } else {
        sb.append(i == 0 ? "" : ",").append('\n').append(" ".repeat(indent * (depth + 1)));
      }
      item.accept(i);
    }
    if (indent >= 0) {
      sb.append('\n').append(" ".repeat(indent * depth));
    }
    sb.append(close);
  }

  /** float.__repr__ for finite values; json's names for the others. */
  private static String floatLiteral(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "Infinity" : "-Infinity";
    }
    return PythonFloatRepr.repr(d);
  }

  private static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
