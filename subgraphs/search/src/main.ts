import { runService } from '@agora/kit/service';
import { searchService } from './service';

runService(searchService);
