import { paths } from '../paths';
import { Link, PageHeading, useLocation, type PageProps } from '../router';

const WHAT = {
  page: {
    title: 'Page not found',
    text: 'There is nothing at this address. The link may be mistyped, or the page moved.',
  },
  panel: { title: 'Panel not found', text: 'There is no panel at this address. It may have been renamed.' },
  post: { title: 'Post not found', text: 'This post does not exist, or it was deleted.' },
  picture: { title: 'Picture not found', text: 'This picture does not exist, or it was deleted.' },
  user: { title: 'Person not found', text: 'Nobody has this handle.' },
};

/** Any address no route matches, and any page whose subject does not exist. */
export default function NotFound({ what = 'page' }: PageProps & { what?: keyof typeof WHAT }) {
  const { pathname } = useLocation();
  const { title, text } = WHAT[what];
  return (
    <section className="empty-state">
      <PageHeading>{title}</PageHeading>
      <p>{text}</p>
      <p>
        <code className="wrap">{pathname}</code>
      </p>
      <p>
        <Link className="button" to={paths.panels()}>
          Go to the panels
        </Link>
      </p>
    </section>
  );
}
