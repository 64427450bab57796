import { Header } from './components/Header';
import { PageSkeleton } from './components/Skeleton';
import NotFound from './pages/NotFound';
import { Router } from './router';
import { routes } from './routes';

export function App() {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main">
        <Router routes={routes} notFound={NotFound} fallback={<PageSkeleton />} />
      </main>
    </>
  );
}
