import { runService } from '@agora/kit/service';
import { authService } from './service';

runService(authService);
