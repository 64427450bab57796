import { graphql } from './__generated__';

/** Selections shared by queries and subscriptions, so a live item renders like a loaded one. */
export const UserNameFields = graphql(`
  fragment UserNameFields on User {
    id
    handle
    displayName
  }
`);

export const PostItemFields = graphql(`
  fragment PostItemFields on Post {
    id
    title
    tags
    createdAt
    commentCount
    author {
      ...UserNameFields
    }
  }
`);

export const CommentFields = graphql(`
  fragment CommentFields on Comment {
    id
    body
    createdAt
    updatedAt
    parent {
      id
    }
    author {
      ...UserNameFields
    }
  }
`);

export const PictureCardFields = graphql(`
  fragment PictureCardFields on Picture {
    id
    title
    status
    thumbnailUrl
    width
    height
    createdAt
    owner {
      ...UserNameFields
    }
  }
`);

export const UserCardFields = graphql(`
  fragment UserCardFields on User {
    ...UserNameFields
    bio
    followerCount
  }
`);
