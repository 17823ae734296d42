import { CORTEX_A72 } from '../../devices/hierarchy';
import { defineTopology } from '../../devices/hierarchy/topology-plugin';

/** Cortex-A72 (the default): no IDC, no DIC, no FWB; PIPT L1 I; 1 MiB L2 per cluster. */
export default defineTopology(CORTEX_A72);
