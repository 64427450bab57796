import { runService } from '@agora/kit/service';
import { notificationsService } from './service';

runService(notificationsService);
