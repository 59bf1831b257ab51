package dev.quarry.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaRDD;
import scala.Function1;
import scala.Function2;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.BoxedUnit;

/**
 * An RDD's elements brought to the driver task by task, as {@code collect} brings them, but with each
 * task's handed to the caller the moment that task succeeds (Spark's {@code runJob} result handler),
 * not once the last task is done: the quantize-and-write pass learns so which shards are complete
 * while the others are still being written ({@link dev.quarry.convert.write.ShardCompletions}).
 */
final class TaskResults {
  private TaskResults() {}

  /**
   * Runs the job; {@code eachTask} gets each task's elements (on Spark's scheduler thread: it must
   * return quickly). Returns every element, in partition order. Throws what Spark throws.
   */
  @SuppressWarnings("unchecked")
  static <T> List<T> collect(JavaRDD<T> rdd, Consumer<List<T>> eachTask) {
    int partitions = rdd.getNumPartitions();
    List<List<T>> byPartition = new ArrayList<>();
    for (int i = 0; i < partitions; i++) {
      byPartition.add(List.of());
    }
    Function1<scala.collection.Iterator<T>, ArrayList<T>> perTask =
        (Function1<scala.collection.Iterator<T>, ArrayList<T>> & Serializable) it -> {
          ArrayList<T> elements = new ArrayList<>();
          while (it.hasNext()) {
            elements.add(it.next());
          }
          return elements;
        };
    Function2<Object, ArrayList<T>, BoxedUnit> handler = (index, elements) -> {
      synchronized (byPartition) {
        byPartition.set((Integer) index, elements);
      }
      eachTask.accept(elements);
      return BoxedUnit.UNIT;
    };
    ClassTag<ArrayList<T>> tag = (ClassTag<ArrayList<T>>) (ClassTag<?>) ClassTag$.MODULE$.apply(ArrayList.class);
    rdd.context().runJob(rdd.rdd(), perTask, handler, tag);
    List<T> all = new ArrayList<>();
    byPartition.forEach(all::addAll);
    return all;
  }
}
