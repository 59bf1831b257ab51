# Sourced by scripts/quarry, scripts/submit and scripts/cluster: builds the project on first use (or when a
# source or pom is newer than the jars), with JAVA_HOME respected, and names what the build wrote.
#   spark-job/target/quarry-spark-job.jar      quarry's classes (scripts/quarry runs them on the classpath below)
#   spark-job/target/quarry-app.jar            the application jar for spark-submit
#   spark-job/target/quarry-launch/classpath   quarry's runtime classpath (Spark, Hadoop and the rest)
#   spark-job/target/quarry-launch/spark-classpath   the part of it a Spark installation provides
#   spark-job/target/quarry-launch/jvm-flags   the root pom's quarry.jvm.flags

quarry_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
quarry_launch="$quarry_root/spark-job/target/quarry-launch"
quarry_jar="$quarry_root/spark-job/target/quarry-spark-job.jar"
quarry_app_jar="$quarry_root/spark-job/target/quarry-app.jar"
quarry_java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# Hadoop's configuration directory (core-site.xml: hdfs:// and s3a:// settings and credentials) goes first on
# every classpath, as Spark's own launcher puts it.
quarry_conf_classpath="${HADOOP_CONF_DIR:+$HADOOP_CONF_DIR:}"

quarry_needs_build() {
  local f
  for f in "$quarry_jar" "$quarry_app_jar" "$quarry_launch/classpath" "$quarry_launch/spark-classpath" \
      "$quarry_launch/jvm-flags"; do
    [[ -f "$f" ]] || return 0
  done
  [[ -n "$(find "$quarry_root/pom.xml" "$quarry_root/kernels" "$quarry_root/spark-job/pom.xml" \
      "$quarry_root/spark-job/src" -newer "$quarry_jar" -type f -not -path '*/target/*' -print -quit)" ]]
}

# QUARRY_SKIP_BUILD=1 uses the jars as they are (the integration tests set it: Maven has just built them).
quarry_ensure_built() {
  if [[ -n "${QUARRY_SKIP_BUILD:-}" ]]; then
    [[ -f "$quarry_app_jar" && -f "$quarry_launch/spark-classpath" ]] && return 0
    echo "quarry: error: QUARRY_SKIP_BUILD is set but the build outputs are missing (run mvn package)" >&2
    exit 2
  fi
  quarry_needs_build || return 0
  echo "quarry: building the project (mvn package, tests skipped)..." >&2
  local log
  log="$(mktemp)"
  if ! (cd "$quarry_root" && mvn -B -q -Dstyle.color=never -DskipTests package) > "$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "quarry: error: the build failed" >&2
    exit 2
  fi
  rm -f "$log"
  # an unchanged jar keeps its old time; mark the build done so the next run does not repeat it
  touch "$quarry_jar"
}
