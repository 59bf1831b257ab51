package dev.quarry.fs;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Paths;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Refuses an output that overlaps the input: the same path, or one inside the other. Writing there
 * would replace or delete input files while they are read (an output directory is cleaned of old
 * shards before a run). Paths are compared qualified; local paths also with symbolic links resolved
 * as far as they exist, so a link to the input directory is the input directory.
 */
public final class PathOverlap {
  private PathOverlap() {}

  public static void refuse(FileSystem inFs, Path input, FileSystem outFs, Path output) throws IOException {
    URI in = resolved(inFs.makeQualified(input).toUri());
    URI out = resolved(outFs.makeQualified(output).toUri());
    if (!sameFileSystem(in, out)) {
      return;
    }
    String what = contains(in.getPath(), out.getPath()) ? (in.getPath().equals(out.getPath()) ? "is" : "is inside")
        : contains(out.getPath(), in.getPath()) ? "contains" : null;
    if (what != null) {
      throw new IOException(output + ": the output " + what + " the input " + input + "; choose another output");
    }
  }

  private static boolean sameFileSystem(URI a, URI b) {
    return String.valueOf(a.getScheme()).equals(String.valueOf(b.getScheme()))
        && String.valueOf(a.getAuthority()).equals(String.valueOf(b.getAuthority()));
  }

  /** Whether {@code inner} is {@code outer} or a path below it (whole components only). */
  private static boolean contains(String outer, String inner) {
    String o = stripSlash(outer);
    String i = stripSlash(inner);
    return i.equals(o) || i.startsWith(o.endsWith("/") ? o : o + "/");
  }

  private static String stripSlash(String p) {
    return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  /** A local path with the symbolic links of its longest existing prefix resolved; other URIs as given. */
  private static URI resolved(URI uri) throws IOException {
    if (!"file".equals(uri.getScheme())) {
      return uri;
    }
    java.nio.file.Path p = Paths.get(uri).normalize();
    java.nio.file.Path existing = p;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return uri;
    }
    return existing.toRealPath().resolve(existing.relativize(p)).toUri();
  }
}
