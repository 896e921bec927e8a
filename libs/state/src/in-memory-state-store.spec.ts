import { describeStateStoreConformance } from './testing.js';
import { InMemoryStateStore } from './index.js';

describeStateStoreConformance('InMemoryStateStore', () => new InMemoryStateStore());
