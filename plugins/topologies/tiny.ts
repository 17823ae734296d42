import { TINY } from '../../devices/hierarchy';
import { defineTopology } from './define-topology';

/** Tiny caches so tests and examples force evictions. */
export default defineTopology(TINY);
