/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n": typeof types.LogoutDocument,
    "\n  query PanelPosts($slug: String!, $first: Int!, $after: String) {\n    panel(slug: $slug) {\n      id\n      name\n      description\n      postCount\n      posts(first: $first, after: $after) {\n        edges {\n          node {\n            id\n            title\n            author {\n              handle\n            }\n            createdAt\n            commentCount\n            tags\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.PanelPostsDocument,
    "\n  mutation CreatePost($input: CreatePostInput!) {\n    createPost(input: $input) {\n      id\n    }\n  }\n": typeof types.CreatePostDocument,
    "\n  query Panels($first: Int!, $after: String) {\n    panels(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          slug\n          name\n          description\n          postCount\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.PanelsDocument,
    "\n  mutation CreatePanel($input: CreatePanelInput!) {\n    createPanel(input: $input) {\n      id\n      slug\n    }\n  }\n": typeof types.CreatePanelDocument,
    "\n  query Post($id: ID!) {\n    post(id: $id) {\n      id\n      title\n      body\n      tags\n      author {\n        handle\n      }\n      panel {\n        slug\n        name\n      }\n      createdAt\n      comments(first: 50) {\n        edges {\n          node {\n            id\n            body\n            author {\n              handle\n            }\n            parent {\n              id\n            }\n            createdAt\n          }\n        }\n      }\n    }\n  }\n": typeof types.PostDocument,
    "\n  mutation AddComment($input: AddCommentInput!) {\n    addComment(input: $input) {\n      id\n    }\n  }\n": typeof types.AddCommentDocument,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n": typeof types.LoginDocument,
    "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n": typeof types.RegisterDocument,
    "\n  fragment AuthPayloadFields on AuthPayload {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      id\n      handle\n      displayName\n    }\n  }\n": typeof types.AuthPayloadFieldsFragmentDoc,
    "\n  mutation RefreshSession($refreshToken: String!) {\n    refreshSession(refreshToken: $refreshToken) {\n      ...AuthPayloadFields\n    }\n  }\n": typeof types.RefreshSessionDocument,
};
const documents: Documents = {
    "\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n": types.LogoutDocument,
    "\n  query PanelPosts($slug: String!, $first: Int!, $after: String) {\n    panel(slug: $slug) {\n      id\n      name\n      description\n      postCount\n      posts(first: $first, after: $after) {\n        edges {\n          node {\n            id\n            title\n            author {\n              handle\n            }\n            createdAt\n            commentCount\n            tags\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.PanelPostsDocument,
    "\n  mutation CreatePost($input: CreatePostInput!) {\n    createPost(input: $input) {\n      id\n    }\n  }\n": types.CreatePostDocument,
    "\n  query Panels($first: Int!, $after: String) {\n    panels(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          slug\n          name\n          description\n          postCount\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.PanelsDocument,
    "\n  mutation CreatePanel($input: CreatePanelInput!) {\n    createPanel(input: $input) {\n      id\n      slug\n    }\n  }\n": types.CreatePanelDocument,
    "\n  query Post($id: ID!) {\n    post(id: $id) {\n      id\n      title\n      body\n      tags\n      author {\n        handle\n      }\n      panel {\n        slug\n        name\n      }\n      createdAt\n      comments(first: 50) {\n        edges {\n          node {\n            id\n            body\n            author {\n              handle\n            }\n            parent {\n              id\n            }\n            createdAt\n          }\n        }\n      }\n    }\n  }\n": types.PostDocument,
    "\n  mutation AddComment($input: AddCommentInput!) {\n    addComment(input: $input) {\n      id\n    }\n  }\n": types.AddCommentDocument,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n": types.LoginDocument,
    "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n": types.RegisterDocument,
    "\n  fragment AuthPayloadFields on AuthPayload {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      id\n      handle\n      displayName\n    }\n  }\n": types.AuthPayloadFieldsFragmentDoc,
    "\n  mutation RefreshSession($refreshToken: String!) {\n    refreshSession(refreshToken: $refreshToken) {\n      ...AuthPayloadFields\n    }\n  }\n": types.RefreshSessionDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n"): (typeof documents)["\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PanelPosts($slug: String!, $first: Int!, $after: String) {\n    panel(slug: $slug) {\n      id\n      name\n      description\n      postCount\n      posts(first: $first, after: $after) {\n        edges {\n          node {\n            id\n            title\n            author {\n              handle\n            }\n            createdAt\n            commentCount\n            tags\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query PanelPosts($slug: String!, $first: Int!, $after: String) {\n    panel(slug: $slug) {\n      id\n      name\n      description\n      postCount\n      posts(first: $first, after: $after) {\n        edges {\n          node {\n            id\n            title\n            author {\n              handle\n            }\n            createdAt\n            commentCount\n            tags\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreatePost($input: CreatePostInput!) {\n    createPost(input: $input) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation CreatePost($input: CreatePostInput!) {\n    createPost(input: $input) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Panels($first: Int!, $after: String) {\n    panels(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          slug\n          name\n          description\n          postCount\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Panels($first: Int!, $after: String) {\n    panels(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          slug\n          name\n          description\n          postCount\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreatePanel($input: CreatePanelInput!) {\n    createPanel(input: $input) {\n      id\n      slug\n    }\n  }\n"): (typeof documents)["\n  mutation CreatePanel($input: CreatePanelInput!) {\n    createPanel(input: $input) {\n      id\n      slug\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Post($id: ID!) {\n    post(id: $id) {\n      id\n      title\n      body\n      tags\n      author {\n        handle\n      }\n      panel {\n        slug\n        name\n      }\n      createdAt\n      comments(first: 50) {\n        edges {\n          node {\n            id\n            body\n            author {\n              handle\n            }\n            parent {\n              id\n            }\n            createdAt\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Post($id: ID!) {\n    post(id: $id) {\n      id\n      title\n      body\n      tags\n      author {\n        handle\n      }\n      panel {\n        slug\n        name\n      }\n      createdAt\n      comments(first: 50) {\n        edges {\n          node {\n            id\n            body\n            author {\n              handle\n            }\n            parent {\n              id\n            }\n            createdAt\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddComment($input: AddCommentInput!) {\n    addComment(input: $input) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation AddComment($input: AddCommentInput!) {\n    addComment(input: $input) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n"): (typeof documents)["\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n"): (typeof documents)["\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AuthPayloadFields on AuthPayload {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      id\n      handle\n      displayName\n    }\n  }\n"): (typeof documents)["\n  fragment AuthPayloadFields on AuthPayload {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      id\n      handle\n      displayName\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RefreshSession($refreshToken: String!) {\n    refreshSession(refreshToken: $refreshToken) {\n      ...AuthPayloadFields\n    }\n  }\n"): (typeof documents)["\n  mutation RefreshSession($refreshToken: String!) {\n    refreshSession(refreshToken: $refreshToken) {\n      ...AuthPayloadFields\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;