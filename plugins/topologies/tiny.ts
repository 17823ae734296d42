import { TINY } from '../../devices/hierarchy';
import { defineTopology } from '../../devices/hierarchy/topology-plugin';

/** Tiny caches so tests and examples force evictions. */
export default defineTopology(TINY);
