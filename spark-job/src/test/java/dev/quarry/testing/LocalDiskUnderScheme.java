package dev.quarry.testing;

import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.MultipartUploaderBuilder;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.PathHandle;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.impl.FileSystemMultipartUploaderBuilder;

/**
 * The local disk under a test scheme, {@code <scheme>://<authority>/<absolute local path>}, the
 * authority carrying the test's settings (Hadoop caches one instance per scheme and authority).
 * Subclasses change one behaviour; they are registered with Hadoop by {@code META-INF/services}, so
 * that every JVM with the test classpath (Spark executors included) finds them.
 */
abstract class LocalDiskUnderScheme extends RawLocalFileSystem {
  private final String scheme;
  private URI uri;

  LocalDiskUnderScheme(String scheme) {
    this.scheme = scheme;
  }

  /** Reads the test's settings from the authority. */
  abstract void configure(String authority);

  /**
   * Multipart uploads as Hadoop makes them on HDFS (part files joined by {@code concat}): with no
   * positioned writes under a scheme of its own, a conversion writes through them, as on HDFS.
   */
  @Override
  public MultipartUploaderBuilder createMultipartUploader(Path basePath) {
    return new FileSystemMultipartUploaderBuilder(this, basePath);
  }

  /** The uploader's completion asks for a handle to the file, which Hadoop makes only of {@code file:} paths. */
  @Override
  protected PathHandle createPathHandle(FileStatus stat, Options.HandleOpt... opts) {
    FileStatus local = new FileStatus(stat.getLen(), stat.isDirectory(), stat.getReplication(), stat.getBlockSize(),
        stat.getModificationTime(), stat.getPath());
    local.setPath(new Path("file", null, stat.getPath().toUri().getPath()));
    return super.createPathHandle(local, opts);
  }

  @Override
  public String getScheme() {
    return scheme;
  }

  @Override
  public void initialize(URI name, Configuration conf) throws IOException {
    super.initialize(name, conf);
    this.uri = URI.create(scheme + "://" + name.getAuthority() + "/");
    configure(name.getAuthority());
  }

  @Override
  public URI getUri() {
    // the superclass constructor qualifies its working directory before initialize sets the authority
    return uri != null ? uri : URI.create(scheme + ":///");
  }
}
