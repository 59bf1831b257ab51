/**
 * Step 5, on the driver: the output's metadata (index, config.json, other files, manifest) and what a
 * rerun keeps of an interrupted run's shards or finds already complete.
 */
package dev.quarry.convert.commit;
