package dev.quarry.cli;

import dev.quarry.spark.SparkContexts;
import java.util.regex.Pattern;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code --master} of the commands that run on Spark (a picocli mixin), and the context it gives. */
final class SparkOptions {
  @Option(names = "--master", paramLabel = "URL", converter = MasterUrl.class,
      description = "Spark master (default: the one spark-submit sets, else " + SparkContexts.DEFAULT_MASTER + ").")
  String master;

  JavaSparkContext start(String appName) {
    return SparkContexts.start(appName, master);
  }

  /**
   * The master URLs Spark parses (its local forms, yarn, and a cluster manager's {@code scheme://...}),
   * checked before Spark starts: Spark itself would log its own exception and stack trace first.
   */
  static final class MasterUrl implements ITypeConverter<String> {
    private static final Pattern URL = Pattern.compile("local(\\[([0-9]+|\\*)(\\s*,\\s*[0-9]+)?])?"
        + "|local-cluster\\[\\s*[0-9]+\\s*,\\s*[0-9]+\\s*,\\s*[0-9]+\\s*]|yarn|[a-z][a-z0-9+.-]*://.+");

    @Override
    public String convert(String value) {
      if (!URL.matcher(value).matches()) {
        throw new TypeConversionException("'" + value + "' is not a Spark master URL: local, local[N], local[*], "
            + "local[N,F], spark://HOST:PORT, yarn or k8s://HOST:PORT");
      }
      return value;
    }
  }
}
