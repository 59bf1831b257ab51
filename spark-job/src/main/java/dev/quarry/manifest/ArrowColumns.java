package dev.quarry.manifest;

import java.nio.charset.StandardCharsets;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/** Nullable text and double cells of an Arrow {@link VectorSchemaRoot}, by column name; the field types quarry's files use. */
public final class ArrowColumns {
  public static final ArrowType UTF8 = ArrowType.Utf8.INSTANCE;
  public static final ArrowType INT32 = new ArrowType.Int(32, true);
  public static final ArrowType INT64 = new ArrowType.Int(64, true);
  public static final ArrowType UINT32 = new ArrowType.Int(32, false);
  public static final ArrowType FLOAT64 = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);

  private ArrowColumns() {}

  public static Field field(String name, ArrowType type, boolean nullable) {
    return new Field(name, nullable ? FieldType.nullable(type) : FieldType.notNullable(type), null);
  }

  public static void setText(VectorSchemaRoot root, String column, int row, String value) {
    VarCharVector v = (VarCharVector) root.getVector(column);
    if (value == null) {
      v.setNull(row);
    } else {
      v.setSafe(row, value.getBytes(StandardCharsets.UTF_8));
    }
  }

  public static void setNumber(VectorSchemaRoot root, String column, int row, Double value) {
    Float8Vector v = (Float8Vector) root.getVector(column);
    if (value == null) {
      v.setNull(row);
    } else {
      v.setSafe(row, value);
    }
  }

  public static String text(VectorSchemaRoot root, String column, int row) {
    FieldVector v = root.getVector(column);
    return v.isNull(row) ? null : new String(((VarCharVector) v).get(row), StandardCharsets.UTF_8);
  }

  public static Double number(VectorSchemaRoot root, String column, int row) {
    Float8Vector v = (Float8Vector) root.getVector(column);
    return v.isNull(row) ? null : v.get(row);
  }
}
