/**
 * The Spark plumbing quarry's jobs share: the context a run starts, jobs whose failures come back as
 * quarry's own errors, task placement next to the input, how many tasks a pass gets, its progress.
 */
package dev.quarry.spark;
