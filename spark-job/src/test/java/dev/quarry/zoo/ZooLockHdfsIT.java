package dev.quarry.zoo;

import dev.quarry.testing.LockRace;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two runs racing for the lock of an output root on a real HDFS (MiniDFSCluster), free or stale: one gets it, every time. */
class ZooLockHdfsIT {
  @TempDir
  java.nio.file.Path dir;

  @Test
  void exactlyOneOfTwoRacingRunsTakesTheLockOrTakesOverAStaleOneOnHdfs() throws Exception {
    MiniDFSCluster hdfs = new MiniDFSCluster.Builder(new Configuration(), dir.toFile()).numDataNodes(1).build();
    try {
      hdfs.waitActive();
      LockRace.race(hdfs.getURI() + "/zoo", 50);
      LockRace.raceForAStaleLock(hdfs.getURI() + "/stale", 30);
    } finally {
      hdfs.shutdown();
    }
  }
}
