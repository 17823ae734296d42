import { NEOVERSE_N1 } from '../../devices/hierarchy';
import { defineTopology } from '../../devices/hierarchy/topology-plugin';

/** Neoverse N1: IDC, DIC and FWB; private L2 per core; a system-level cache. */
export default defineTopology(NEOVERSE_N1);
