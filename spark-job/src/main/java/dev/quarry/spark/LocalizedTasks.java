package dev.quarry.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Task descriptions as an RDD whose partitions prefer the hosts that store their input, so that Spark
 * runs each task next to its data when an executor is there. The partitions are the contiguous slices
 * {@code parallelize} would make (ProgressReporter counts on that); a partition prefers the (up to)
 * {@value #MAX_HOSTS} hosts holding the most of its input bytes. Without locations it is a plain
 * {@code parallelize}.
 */
public final class LocalizedTasks {
  static final int MAX_HOSTS = 3;

  private LocalizedTasks() {}

  public static <T extends Serializable> JavaRDD<T> rdd(JavaSparkContext sc, List<T> items, int partitions,
      Function<T, Map<String, Long>> bytesByHost) {
    List<Tuple2<ArrayList<T>, scala.collection.immutable.Seq<String>>> slices = slices(items, partitions, bytesByHost);
    if (slices.stream().allMatch(s -> s._2().isEmpty())) {
      return sc.parallelize(items, partitions);
    }
    return JavaRDD.fromRDD(withLocations(sc, slices), listTag()).flatMap(List::iterator);
  }

  /** The slices of {@code items}, each with the hosts it prefers. */
  public static <T> List<Tuple2<ArrayList<T>, scala.collection.immutable.Seq<String>>> slices(List<T> items, int partitions,
      Function<T, Map<String, Long>> bytesByHost) {
    List<Tuple2<ArrayList<T>, scala.collection.immutable.Seq<String>>> slices = new ArrayList<>();
    for (int i = 0; i < partitions; i++) {
      ArrayList<T> slice = new ArrayList<>(items.subList(
          (int) ((long) i * items.size() / partitions), (int) ((long) (i + 1) * items.size() / partitions)));
      Map<String, Long> bytes = new HashMap<>();
      slice.forEach(item -> bytesByHost.apply(item).forEach((host, n) -> bytes.merge(host, n, Long::sum)));
      List<String> hosts = bytes.entrySet().stream()
          .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
          .limit(MAX_HOSTS).map(Map.Entry::getKey).toList();
      slices.add(new Tuple2<>(slice, CollectionConverters.asScala(hosts).toSeq()));
    }
    return slices;
  }

  /** One partition per slice, with its preferred hosts (SparkContext.makeRDD). */
  public static <T> RDD<ArrayList<T>> withLocations(JavaSparkContext sc,
      List<Tuple2<ArrayList<T>, scala.collection.immutable.Seq<String>>> slices) {
    return sc.sc().makeRDD(CollectionConverters.asScala(slices).toSeq(), listTag());
  }

  @SuppressWarnings("unchecked")
  private static <T> ClassTag<ArrayList<T>> listTag() {
    return (ClassTag<ArrayList<T>>) (ClassTag<?>) ClassTag$.MODULE$.apply(ArrayList.class);
  }
}
