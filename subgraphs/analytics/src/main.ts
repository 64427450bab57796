import { runService } from '@agora/kit/service';
import { analyticsService } from './service';

runService(analyticsService);
