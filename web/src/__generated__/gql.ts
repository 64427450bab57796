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
    "\n  query UnreadNotificationCount {\n    me {\n      id\n      unreadNotificationCount\n    }\n  }\n": typeof types.UnreadNotificationCountDocument,
    "\n  subscription NotificationAdded {\n    notificationAdded {\n      id\n    }\n  }\n": typeof types.NotificationAddedDocument,
    "\n  subscription PictureProcessed($pictureId: ID) {\n    pictureProcessed(pictureId: $pictureId) {\n      ...PictureCardFields\n    }\n  }\n": typeof types.PictureProcessedDocument,
    "\n  query PictureStatus($id: ID!) {\n    picture(id: $id) {\n      ...PictureCardFields\n    }\n  }\n": typeof types.PictureStatusDocument,
    "\n  mutation UploadPicture($input: UploadPictureInput!) {\n    uploadPicture(input: $input) {\n      ...PictureCardFields\n    }\n  }\n": typeof types.UploadPictureDocument,
    "\n  fragment UserNameFields on User {\n    id\n    handle\n    displayName\n  }\n": typeof types.UserNameFieldsFragmentDoc,
    "\n  fragment PostItemFields on Post {\n    id\n    title\n    tags\n    createdAt\n    commentCount\n    author {\n      ...UserNameFields\n    }\n  }\n": typeof types.PostItemFieldsFragmentDoc,
    "\n  fragment CommentFields on Comment {\n    id\n    body\n    createdAt\n    updatedAt\n    parent {\n      id\n    }\n    author {\n      ...UserNameFields\n    }\n  }\n": typeof types.CommentFieldsFragmentDoc,
    "\n  fragment PictureCardFields on Picture {\n    id\n    title\n    status\n    thumbnailUrl\n    width\n    height\n    createdAt\n    owner {\n      ...UserNameFields\n    }\n  }\n": typeof types.PictureCardFieldsFragmentDoc,
    "\n  fragment UserCardFields on User {\n    ...UserNameFields\n    bio\n    followerCount\n  }\n": typeof types.UserCardFieldsFragmentDoc,
    "\n  query MyApiKeys {\n    apiKeys {\n      id\n      name\n      prefix\n      createdAt\n      lastUsedAt\n      expiresAt\n    }\n  }\n": typeof types.MyApiKeysDocument,
    "\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      key\n      apiKey {\n        id\n        name\n        prefix\n        createdAt\n        lastUsedAt\n        expiresAt\n      }\n    }\n  }\n": typeof types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id)\n  }\n": typeof types.RevokeApiKeyDocument,
    "\n  query MyProfile {\n    me {\n      ...UserNameFields\n      bio\n    }\n  }\n": typeof types.MyProfileDocument,
    "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      ...UserNameFields\n      bio\n    }\n  }\n": typeof types.UpdateProfileDocument,
    "\n  query Followers($handle: String!, $first: Int!, $after: String) {\n    user(handle: $handle) {\n      ...UserNameFields\n      followers(first: $first, after: $after) {\n        edges {\n          node {\n            ...UserCardFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.FollowersDocument,
    "\n  query Following($handle: String!, $first: Int!, $after: String) {\n    user(handle: $handle) {\n      ...UserNameFields\n      following(first: $first, after: $after) {\n        edges {\n          node {\n            ...UserCardFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.FollowingDocument,
    "\n  query MyNotificationSettings {\n    me {\n      id\n      notificationSettings {\n        dailyDigest\n        emailStatus\n        kinds {\n          kind\n          inApp\n          email\n        }\n      }\n    }\n  }\n": typeof types.MyNotificationSettingsDocument,
    "\n  mutation UpdateNotificationSettings($input: NotificationSettingsInput!) {\n    updateNotificationSettings(input: $input) {\n      dailyDigest\n      emailStatus\n      kinds {\n        kind\n        inApp\n        email\n      }\n    }\n  }\n": typeof types.UpdateNotificationSettingsDocument,
    "\n  mutation RequestEmailVerification {\n    requestEmailVerification\n  }\n": typeof types.RequestEmailVerificationDocument,
    "\n  query MyNotifications($first: Int!, $after: String, $unreadOnly: Boolean) {\n    me {\n      id\n      unreadNotificationCount\n      notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {\n        edges {\n          node {\n            id\n            kind\n            summary\n            excerpt\n            path\n            read\n            createdAt\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.MyNotificationsDocument,
    "\n  mutation MarkNotificationsRead($ids: [ID!]!) {\n    markNotificationsRead(ids: $ids)\n  }\n": typeof types.MarkNotificationsReadDocument,
    "\n  mutation MarkAllNotificationsRead {\n    markAllNotificationsRead\n  }\n": typeof types.MarkAllNotificationsReadDocument,
    "\n  query PanelPosts($slug: String!, $first: Int!, $after: String) {\n    panel(slug: $slug) {\n      id\n      name\n      description\n      postCount\n      createdBy {\n        ...UserNameFields\n      }\n      posts(first: $first, after: $after) {\n        edges {\n          node {\n            ...PostItemFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.PanelPostsDocument,
    "\n  subscription PanelPostAdded($panelId: ID!) {\n    postAdded(panelId: $panelId) {\n      ...PostItemFields\n    }\n  }\n": typeof types.PanelPostAddedDocument,
    "\n  mutation CreatePost($input: CreatePostInput!) {\n    createPost(input: $input) {\n      id\n    }\n  }\n": typeof types.CreatePostDocument,
    "\n  query Panels($first: Int!, $after: String) {\n    panels(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          slug\n          name\n          description\n          postCount\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.PanelsDocument,
    "\n  mutation CreatePanel($input: CreatePanelInput!) {\n    createPanel(input: $input) {\n      id\n      slug\n    }\n  }\n": typeof types.CreatePanelDocument,
    "\n  query Picture($id: ID!) {\n    picture(id: $id) {\n      ...PictureCardFields\n      tags\n      url\n      contentType\n      byteSize\n    }\n  }\n": typeof types.PictureDocument,
    "\n  mutation DeletePicture($id: ID!) {\n    deletePicture(id: $id)\n  }\n": typeof types.DeletePictureDocument,
    "\n  query Pictures($first: Int!, $after: String, $ownerId: ID, $tag: String) {\n    pictures(first: $first, after: $after, ownerId: $ownerId, tag: $tag) {\n      edges {\n        node {\n          ...PictureCardFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.PicturesDocument,
    "\n  query PictureOwner($handle: String!) {\n    user(handle: $handle) {\n      ...UserNameFields\n    }\n  }\n": typeof types.PictureOwnerDocument,
    "\n  query Post($id: ID!, $first: Int!, $after: String) {\n    post(id: $id) {\n      id\n      title\n      body\n      tags\n      createdAt\n      updatedAt\n      commentCount\n      author {\n        ...UserNameFields\n      }\n      panel {\n        id\n        slug\n        name\n      }\n      comments(first: $first, after: $after) {\n        edges {\n          node {\n            ...CommentFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.PostDocument,
    "\n  subscription PostCommentAdded($postId: ID!) {\n    commentAdded(postId: $postId) {\n      ...CommentFields\n    }\n  }\n": typeof types.PostCommentAddedDocument,
    "\n  mutation UpdatePost($id: ID!, $input: UpdatePostInput!) {\n    updatePost(id: $id, input: $input) {\n      id\n      title\n      body\n      tags\n      updatedAt\n    }\n  }\n": typeof types.UpdatePostDocument,
    "\n  mutation DeletePost($id: ID!) {\n    deletePost(id: $id)\n  }\n": typeof types.DeletePostDocument,
    "\n  mutation AddComment($input: AddCommentInput!) {\n    addComment(input: $input) {\n      ...CommentFields\n    }\n  }\n": typeof types.AddCommentDocument,
    "\n  mutation UpdateComment($id: ID!, $body: String!) {\n    updateComment(id: $id, body: $body) {\n      id\n      body\n      updatedAt\n    }\n  }\n": typeof types.UpdateCommentDocument,
    "\n  mutation DeleteComment($id: ID!) {\n    deleteComment(id: $id)\n  }\n": typeof types.DeleteCommentDocument,
    "\n  query Profile($handle: String!, $first: Int!, $after: String) {\n    user(handle: $handle) {\n      ...UserNameFields\n      bio\n      createdAt\n      followerCount\n      followingCount\n      viewerIsFollowing\n      viewerHasBlocked\n      posts(first: $first, after: $after) {\n        edges {\n          node {\n            ...PostItemFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.ProfileDocument,
    "\n  query ProfilePictures($userId: ID!) {\n    pictures(first: 8, ownerId: $userId) {\n      edges {\n        node {\n          ...PictureCardFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n  }\n": typeof types.ProfilePicturesDocument,
    "\n  mutation Follow($userId: ID!) {\n    follow(userId: $userId) {\n      id\n      followerCount\n      viewerIsFollowing\n      viewerHasBlocked\n    }\n  }\n": typeof types.FollowDocument,
    "\n  mutation Unfollow($userId: ID!) {\n    unfollow(userId: $userId) {\n      id\n      followerCount\n      viewerIsFollowing\n      viewerHasBlocked\n    }\n  }\n": typeof types.UnfollowDocument,
    "\n  mutation Block($userId: ID!) {\n    block(userId: $userId) {\n      id\n      followerCount\n      followingCount\n      viewerIsFollowing\n      viewerHasBlocked\n    }\n  }\n": typeof types.BlockDocument,
    "\n  mutation Unblock($userId: ID!) {\n    unblock(userId: $userId) {\n      id\n      followerCount\n      viewerIsFollowing\n      viewerHasBlocked\n    }\n  }\n": typeof types.UnblockDocument,
    "\n  query Search($query: String!, $types: [SearchType!], $tags: [String!], $first: Int!, $after: String) {\n    search(query: $query, types: $types, tags: $tags, first: $first, after: $after) {\n      totalCount\n      correctedQuery\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        highlight\n        node {\n          __typename\n          ... on Post {\n            id\n            title\n            tags\n            createdAt\n            author {\n              ...UserNameFields\n            }\n          }\n          ... on Comment {\n            id\n            createdAt\n            post {\n              id\n              title\n            }\n            author {\n              ...UserNameFields\n            }\n          }\n          ... on Picture {\n            id\n            title\n            tags\n            createdAt\n            owner {\n              ...UserNameFields\n            }\n          }\n          ... on User {\n            id\n            handle\n            displayName\n          }\n        }\n      }\n    }\n  }\n": typeof types.SearchDocument,
    "\n  query TagSuggestions($prefix: String!, $first: Int) {\n    tagSuggestions(prefix: $prefix, first: $first) {\n      tag\n      count\n    }\n  }\n": typeof types.TagSuggestionsDocument,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n": typeof types.LoginDocument,
    "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n": typeof types.RegisterDocument,
    "\n  mutation Unsubscribe($token: String!) {\n    unsubscribe(token: $token)\n  }\n": typeof types.UnsubscribeDocument,
    "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token)\n  }\n": typeof types.VerifyEmailDocument,
    "\n  query AdminUsage($from: DateTime!, $interval: ApiUsageInterval!) {\n    apiUsage(from: $from, interval: $interval) {\n      from\n      to\n      interval\n      totalCalls\n      errorCount\n      errorRate\n      p50Ms\n      p95Ms\n      p99Ms\n      timeseries {\n        at\n        count\n        errors\n        p95Ms\n      }\n      byOperation(first: 10) {\n        name\n        type\n        count\n        errors\n        errorRate\n        p95Ms\n      }\n      byClient(first: 10) {\n        name\n        version\n        count\n        errors\n        p95Ms\n      }\n    }\n  }\n": typeof types.AdminUsageDocument,
    "\n  subscription AdminUsageUpdated($interval: ApiUsageInterval!) {\n    apiUsageUpdated(interval: $interval) {\n      from\n      totalCalls\n      errorCount\n      p95Ms\n      byOperation(first: 20) {\n        name\n        count\n      }\n    }\n  }\n": typeof types.AdminUsageUpdatedDocument,
    "\n  query AdminRecentCalls($first: Int!, $after: String, $operationName: String, $outcome: ApiCallOutcome) {\n    recentApiCalls(first: $first, after: $after, operationName: $operationName, outcome: $outcome) {\n      edges {\n        cursor\n        node {\n          id\n          at\n          phase\n          transport\n          operationName\n          operationType\n          clientName\n          clientVersion\n          user {\n            id\n            handle\n          }\n          durationMs\n          outcome\n          errorCodes\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.AdminRecentCallsDocument,
    "\n  fragment AuthPayloadFields on AuthPayload {\n    accessToken\n    refreshToken\n    expiresIn\n    user {\n      id\n      handle\n      displayName\n    }\n  }\n": typeof types.AuthPayloadFieldsFragmentDoc,
    "\n  mutation RefreshSession($refreshToken: String!) {\n    refreshSession(refreshToken: $refreshToken) {\n      ...AuthPayloadFields\n    }\n  }\n": typeof types.RefreshSessionDocument,
};
const documents: Documents = {
    "\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n": types.LogoutDocument,
    "\n  query UnreadNotificationCount {\n    me {\n      id\n      unreadNotificationCount\n    }\n  }\n": types.UnreadNotificationCountDocument,
    "\n  subscription NotificationAdded {\n    notificationAdded {\n      id\n    }\n  }\n": types.NotificationAddedDocument,
    "\n  subscription PictureProcessed($pictureId: ID) {\n    pictureProcessed(pictureId: $pictureId) {\n      ...PictureCardFields\n    }\n  }\n": types.PictureProcessedDocument,
    "\n  query PictureStatus($id: ID!) {\n    picture(id: $id) {\n      ...PictureCardFields\n    }\n  }\n": types.PictureStatusDocument,
    "\n  mutation UploadPicture($input: UploadPictureInput!) {\n    uploadPicture(input: $input) {\n      ...PictureCardFields\n    }\n  }\n": types.UploadPictureDocument,
    "\n  fragment UserNameFields on User {\n    id\n    handle\n    displayName\n  }\n": types.UserNameFieldsFragmentDoc,
    "\n  fragment PostItemFields on Post {\n    id\n    title\n    tags\n    createdAt\n    commentCount\n    author {\n      ...UserNameFields\n    }\n  }\n": types.PostItemFieldsFragmentDoc,
    "\n  fragment CommentFields on Comment {\n    id\n    body\n    createdAt\n    updatedAt\n    parent {\n      id\n    }\n    author {\n      ...UserNameFields\n    }\n  }\n": types.CommentFieldsFragmentDoc,
    "\n  fragment PictureCardFields on Picture {\n    id\n    title\n    status\n    thumbnailUrl\n    width\n    height\n    createdAt\n    owner {\n      ...UserNameFields\n    }\n  }\n": types.PictureCardFieldsFragmentDoc,
    "\n  fragment UserCardFields on User {\n    ...UserNameFields\n    bio\n    followerCount\n  }\n": types.UserCardFieldsFragmentDoc,
    "\n  query MyApiKeys {\n    apiKeys {\n      id\n      name\n      prefix\n      createdAt\n      lastUsedAt\n      expiresAt\n    }\n  }\n": types.MyApiKeysDocument,
    "\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      key\n      apiKey {\n        id\n        name\n        prefix\n        createdAt\n        lastUsedAt\n        expiresAt\n      }\n    }\n  }\n": types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id)\n  }\n": types.RevokeApiKeyDocument,
    "\n  query MyProfile {\n    me {\n      ...UserNameFields\n      bio\n    }\n  }\n": types.MyProfileDocument,
    "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      ...UserNameFields\n      bio\n    }\n  }\n": types.UpdateProfileDocument,
    "\n  query Followers($handle: String!, $first: Int!, $after: String) {\n    user(handle: $handle) {\n      ...UserNameFields\n      followers(first: $first, after: $after) {\n        edges {\n          node {\n            ...UserCardFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.FollowersDocument,
    "\n  query Following($handle: String!, $first: Int!, $after: String) {\n    user(handle: $handle) {\n      ...UserNameFields\n      following(first: $first, after: $after) {\n        edges {\n          node {\n            ...UserCardFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.FollowingDocument,
    "\n  query MyNotificationSettings {\n    me {\n      id\n      notificationSettings {\n        dailyDigest\n        emailStatus\n        kinds {\n          kind\n          inApp\n          email\n        }\n      }\n    }\n  }\n": types.MyNotificationSettingsDocument,
    "\n  mutation UpdateNotificationSettings($input: NotificationSettingsInput!) {\n    updateNotificationSettings(input: $input) {\n      dailyDigest\n      emailStatus\n      kinds {\n        kind\n        inApp\n        email\n      }\n    }\n  }\n": types.UpdateNotificationSettingsDocument,
    "\n  mutation RequestEmailVerification {\n    requestEmailVerification\n  }\n": types.RequestEmailVerificationDocument,
    "\n  query MyNotifications($first: Int!, $after: String, $unreadOnly: Boolean) {\n    me {\n      id\n      unreadNotificationCount\n      notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {\n        edges {\n          node {\n            id\n            kind\n            summary\n            excerpt\n            path\n            read\n            createdAt\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.MyNotificationsDocument,
    "\n  mutation MarkNotificationsRead($ids: [ID!]!) {\n    markNotificationsRead(ids: $ids)\n  }\n": types.MarkNotificationsReadDocument,
    "\n  mutation MarkAllNotificationsRead {\n    markAllNotificationsRead\n  }\n": types.MarkAllNotificationsReadDocument,
    "\n  query PanelPosts($slug: String!, $first: Int!, $after: String) {\n    panel(slug: $slug) {\n      id\n      name\n      description\n      postCount\n      createdBy {\n        ...UserNameFields\n      }\n      posts(first: $first, after: $after) {\n        edges {\n          node {\n            ...PostItemFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.PanelPostsDocument,
    "\n  subscription PanelPostAdded($panelId: ID!) {\n    postAdded(panelId: $panelId) {\n      ...PostItemFields\n    }\n  }\n": types.PanelPostAddedDocument,
    "\n  mutation CreatePost($input: CreatePostInput!) {\n    createPost(input: $input) {\n      id\n    }\n  }\n": types.CreatePostDocument,
    "\n  query Panels($first: Int!, $after: String) {\n    panels(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          slug\n          name\n          description\n          postCount\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.PanelsDocument,
    "\n  mutation CreatePanel($input: CreatePanelInput!) {\n    createPanel(input: $input) {\n      id\n      slug\n    }\n  }\n": types.CreatePanelDocument,
    "\n  query Picture($id: ID!) {\n    picture(id: $id) {\n      ...PictureCardFields\n      tags\n      url\n      contentType\n      byteSize\n    }\n  }\n": types.PictureDocument,
    "\n  mutation DeletePicture($id: ID!) {\n    deletePicture(id: $id)\n  }\n": types.DeletePictureDocument,
    "\n  query Pictures($first: Int!, $after: String, $ownerId: ID, $tag: String) {\n    pictures(first: $first, after: $after, ownerId: $ownerId, tag: $tag) {\n      edges {\n        node {\n          ...PictureCardFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.PicturesDocument,
    "\n  query PictureOwner($handle: String!) {\n    user(handle: $handle) {\n      ...UserNameFields\n    }\n  }\n": types.PictureOwnerDocument,
    "\n  query Post($id: ID!, $first: Int!, $after: String) {\n    post(id: $id) {\n      id\n      title\n      body\n      tags\n      createdAt\n      updatedAt\n      commentCount\n      author {\n        ...UserNameFields\n      }\n      panel {\n        id\n        slug\n        name\n      }\n      comments(first: $first, after: $after) {\n        edges {\n          node {\n            ...CommentFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.PostDocument,
    "\n  subscription PostCommentAdded($postId: ID!) {\n    commentAdded(postId: $postId) {\n      ...CommentFields\n    }\n  }\n": types.PostCommentAddedDocument,
    "\n  mutation UpdatePost($id: ID!, $input: UpdatePostInput!) {\n    updatePost(id: $id, input: $input) {\n      id\n      title\n      body\n      tags\n      updatedAt\n    }\n  }\n": types.UpdatePostDocument,
    "\n  mutation DeletePost($id: ID!) {\n    deletePost(id: $id)\n  }\n": types.DeletePostDocument,
    "\n  mutation AddComment($input: AddCommentInput!) {\n    addComment(input: $input) {\n      ...CommentFields\n    }\n  }\n": types.AddCommentDocument,
    "\n  mutation UpdateComment($id: ID!, $body: String!) {\n    updateComment(id: $id, body: $body) {\n      id\n      body\n      updatedAt\n    }\n  }\n": types.UpdateCommentDocument,
    "\n  mutation DeleteComment($id: ID!) {\n    deleteComment(id: $id)\n  }\n": types.DeleteCommentDocument,
    "\n  query Profile($handle: String!, $first: Int!, $after: String) {\n    user(handle: $handle) {\n      ...UserNameFields\n      bio\n      createdAt\n      followerCount\n      followingCount\n      viewerIsFollowing\n      viewerHasBlocked\n      posts(first: $first, after: $after) {\n        edges {\n          node {\n            ...PostItemFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.ProfileDocument,
    "\n  query ProfilePictures($userId: ID!) {\n    pictures(first: 8, ownerId: $userId) {\n      edges {\n        node {\n          ...PictureCardFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n  }\n": types.ProfilePicturesDocument,
    "\n  mutation Follow($userId: ID!) {\n    follow(userId: $userId) {\n      id\n      followerCount\n      viewerIsFollowing\n      viewerHasBlocked\n    }\n  }\n": types.FollowDocument,
    "\n  mutation Unfollow($userId: ID!) {\n    unfollow(userId: $userId) {\n      id\n      followerCount\n      viewerIsFollowing\n      viewerHasBlocked\n    }\n  }\n": types.UnfollowDocument,
    "\n  mutation Block($userId: ID!) {\n    block(userId: $userId) {\n      id\n      followerCount\n      followingCount\n      viewerIsFollowing\n      viewerHasBlocked\n    }\n  }\n": types.BlockDocument,
    "\n  mutation Unblock($userId: ID!) {\n    unblock(userId: $userId) {\n      id\n      followerCount\n      viewerIsFollowing\n      viewerHasBlocked\n    }\n  }\n": types.UnblockDocument,
    "\n  query Search($query: String!, $types: [SearchType!], $tags: [String!], $first: Int!, $after: String) {\n    search(query: $query, types: $types, tags: $tags, first: $first, after: $after) {\n      totalCount\n      correctedQuery\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        highlight\n        node {\n          __typename\n          ... on Post {\n            id\n            title\n            tags\n            createdAt\n            author {\n              ...UserNameFields\n            }\n          }\n          ... on Comment {\n            id\n            createdAt\n            post {\n              id\n              title\n            }\n            author {\n              ...UserNameFields\n            }\n          }\n          ... on Picture {\n            id\n            title\n            tags\n            createdAt\n            owner {\n              ...UserNameFields\n            }\n          }\n          ... on User {\n            id\n            handle\n            displayName\n          }\n        }\n      }\n    }\n  }\n": types.SearchDocument,
    "\n  query TagSuggestions($prefix: String!, $first: Int) {\n    tagSuggestions(prefix: $prefix, first: $first) {\n      tag\n      count\n    }\n  }\n": types.TagSuggestionsDocument,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n": types.LoginDocument,
    "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n": types.RegisterDocument,
    "\n  mutation Unsubscribe($token: String!) {\n    unsubscribe(token: $token)\n  }\n": types.UnsubscribeDocument,
    "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token)\n  }\n": types.VerifyEmailDocument,
    "\n  query AdminUsage($from: DateTime!, $interval: ApiUsageInterval!) {\n    apiUsage(from: $from, interval: $interval) {\n      from\n      to\n      interval\n      totalCalls\n      errorCount\n      errorRate\n      p50Ms\n      p95Ms\n      p99Ms\n      timeseries {\n        at\n        count\n        errors\n        p95Ms\n      }\n      byOperation(first: 10) {\n        name\n        type\n        count\n        errors\n        errorRate\n        p95Ms\n      }\n      byClient(first: 10) {\n        name\n        version\n        count\n        errors\n        p95Ms\n      }\n    }\n  }\n": types.AdminUsageDocument,
    "\n  subscription AdminUsageUpdated($interval: ApiUsageInterval!) {\n    apiUsageUpdated(interval: $interval) {\n      from\n      totalCalls\n      errorCount\n      p95Ms\n      byOperation(first: 20) {\n        name\n        count\n      }\n    }\n  }\n": types.AdminUsageUpdatedDocument,
    "\n  query AdminRecentCalls($first: Int!, $after: String, $operationName: String, $outcome: ApiCallOutcome) {\n    recentApiCalls(first: $first, after: $after, operationName: $operationName, outcome: $outcome) {\n      edges {\n        cursor\n        node {\n          id\n          at\n          phase\n          transport\n          operationName\n          operationType\n          clientName\n          clientVersion\n          user {\n            id\n            handle\n          }\n          durationMs\n          outcome\n          errorCodes\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.AdminRecentCallsDocument,
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
export function graphql(source: "\n  query UnreadNotificationCount {\n    me {\n      id\n      unreadNotificationCount\n    }\n  }\n"): (typeof documents)["\n  query UnreadNotificationCount {\n    me {\n      id\n      unreadNotificationCount\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription NotificationAdded {\n    notificationAdded {\n      id\n    }\n  }\n"): (typeof documents)["\n  subscription NotificationAdded {\n    notificationAdded {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription PictureProcessed($pictureId: ID) {\n    pictureProcessed(pictureId: $pictureId) {\n      ...PictureCardFields\n    }\n  }\n"): (typeof documents)["\n  subscription PictureProcessed($pictureId: ID) {\n    pictureProcessed(pictureId: $pictureId) {\n      ...PictureCardFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PictureStatus($id: ID!) {\n    picture(id: $id) {\n      ...PictureCardFields\n    }\n  }\n"): (typeof documents)["\n  query PictureStatus($id: ID!) {\n    picture(id: $id) {\n      ...PictureCardFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UploadPicture($input: UploadPictureInput!) {\n    uploadPicture(input: $input) {\n      ...PictureCardFields\n    }\n  }\n"): (typeof documents)["\n  mutation UploadPicture($input: UploadPictureInput!) {\n    uploadPicture(input: $input) {\n      ...PictureCardFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment UserNameFields on User {\n    id\n    handle\n    displayName\n  }\n"): (typeof documents)["\n  fragment UserNameFields on User {\n    id\n    handle\n    displayName\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PostItemFields on Post {\n    id\n    title\n    tags\n    createdAt\n    commentCount\n    author {\n      ...UserNameFields\n    }\n  }\n"): (typeof documents)["\n  fragment PostItemFields on Post {\n    id\n    title\n    tags\n    createdAt\n    commentCount\n    author {\n      ...UserNameFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CommentFields on Comment {\n    id\n    body\n    createdAt\n    updatedAt\n    parent {\n      id\n    }\n    author {\n      ...UserNameFields\n    }\n  }\n"): (typeof documents)["\n  fragment CommentFields on Comment {\n    id\n    body\n    createdAt\n    updatedAt\n    parent {\n      id\n    }\n    author {\n      ...UserNameFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PictureCardFields on Picture {\n    id\n    title\n    status\n    thumbnailUrl\n    width\n    height\n    createdAt\n    owner {\n      ...UserNameFields\n    }\n  }\n"): (typeof documents)["\n  fragment PictureCardFields on Picture {\n    id\n    title\n    status\n    thumbnailUrl\n    width\n    height\n    createdAt\n    owner {\n      ...UserNameFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment UserCardFields on User {\n    ...UserNameFields\n    bio\n    followerCount\n  }\n"): (typeof documents)["\n  fragment UserCardFields on User {\n    ...UserNameFields\n    bio\n    followerCount\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyApiKeys {\n    apiKeys {\n      id\n      name\n      prefix\n      createdAt\n      lastUsedAt\n      expiresAt\n    }\n  }\n"): (typeof documents)["\n  query MyApiKeys {\n    apiKeys {\n      id\n      name\n      prefix\n      createdAt\n      lastUsedAt\n      expiresAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      key\n      apiKey {\n        id\n        name\n        prefix\n        createdAt\n        lastUsedAt\n        expiresAt\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      key\n      apiKey {\n        id\n        name\n        prefix\n        createdAt\n        lastUsedAt\n        expiresAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id)\n  }\n"): (typeof documents)["\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyProfile {\n    me {\n      ...UserNameFields\n      bio\n    }\n  }\n"): (typeof documents)["\n  query MyProfile {\n    me {\n      ...UserNameFields\n      bio\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      ...UserNameFields\n      bio\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      ...UserNameFields\n      bio\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Followers($handle: String!, $first: Int!, $after: String) {\n    user(handle: $handle) {\n      ...UserNameFields\n      followers(first: $first, after: $after) {\n        edges {\n          node {\n            ...UserCardFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Followers($handle: String!, $first: Int!, $after: String) {\n    user(handle: $handle) {\n      ...UserNameFields\n      followers(first: $first, after: $after) {\n        edges {\n          node {\n            ...UserCardFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Following($handle: String!, $first: Int!, $after: String) {\n    user(handle: $handle) {\n      ...UserNameFields\n      following(first: $first, after: $after) {\n        edges {\n          node {\n            ...UserCardFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Following($handle: String!, $first: Int!, $after: String) {\n    user(handle: $handle) {\n      ...UserNameFields\n      following(first: $first, after: $after) {\n        edges {\n          node {\n            ...UserCardFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyNotificationSettings {\n    me {\n      id\n      notificationSettings {\n        dailyDigest\n        emailStatus\n        kinds {\n          kind\n          inApp\n          email\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyNotificationSettings {\n    me {\n      id\n      notificationSettings {\n        dailyDigest\n        emailStatus\n        kinds {\n          kind\n          inApp\n          email\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateNotificationSettings($input: NotificationSettingsInput!) {\n    updateNotificationSettings(input: $input) {\n      dailyDigest\n      emailStatus\n      kinds {\n        kind\n        inApp\n        email\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateNotificationSettings($input: NotificationSettingsInput!) {\n    updateNotificationSettings(input: $input) {\n      dailyDigest\n      emailStatus\n      kinds {\n        kind\n        inApp\n        email\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestEmailVerification {\n    requestEmailVerification\n  }\n"): (typeof documents)["\n  mutation RequestEmailVerification {\n    requestEmailVerification\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyNotifications($first: Int!, $after: String, $unreadOnly: Boolean) {\n    me {\n      id\n      unreadNotificationCount\n      notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {\n        edges {\n          node {\n            id\n            kind\n            summary\n            excerpt\n            path\n            read\n            createdAt\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyNotifications($first: Int!, $after: String, $unreadOnly: Boolean) {\n    me {\n      id\n      unreadNotificationCount\n      notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {\n        edges {\n          node {\n            id\n            kind\n            summary\n            excerpt\n            path\n            read\n            createdAt\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkNotificationsRead($ids: [ID!]!) {\n    markNotificationsRead(ids: $ids)\n  }\n"): (typeof documents)["\n  mutation MarkNotificationsRead($ids: [ID!]!) {\n    markNotificationsRead(ids: $ids)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkAllNotificationsRead {\n    markAllNotificationsRead\n  }\n"): (typeof documents)["\n  mutation MarkAllNotificationsRead {\n    markAllNotificationsRead\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PanelPosts($slug: String!, $first: Int!, $after: String) {\n    panel(slug: $slug) {\n      id\n      name\n      description\n      postCount\n      createdBy {\n        ...UserNameFields\n      }\n      posts(first: $first, after: $after) {\n        edges {\n          node {\n            ...PostItemFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query PanelPosts($slug: String!, $first: Int!, $after: String) {\n    panel(slug: $slug) {\n      id\n      name\n      description\n      postCount\n      createdBy {\n        ...UserNameFields\n      }\n      posts(first: $first, after: $after) {\n        edges {\n          node {\n            ...PostItemFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription PanelPostAdded($panelId: ID!) {\n    postAdded(panelId: $panelId) {\n      ...PostItemFields\n    }\n  }\n"): (typeof documents)["\n  subscription PanelPostAdded($panelId: ID!) {\n    postAdded(panelId: $panelId) {\n      ...PostItemFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreatePost($input: CreatePostInput!) {\n    createPost(input: $input) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation CreatePost($input: CreatePostInput!) {\n    createPost(input: $input) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Panels($first: Int!, $after: String) {\n    panels(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          slug\n          name\n          description\n          postCount\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Panels($first: Int!, $after: String) {\n    panels(first: $first, after: $after) {\n      edges {\n        node {\n          id\n          slug\n          name\n          description\n          postCount\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreatePanel($input: CreatePanelInput!) {\n    createPanel(input: $input) {\n      id\n      slug\n    }\n  }\n"): (typeof documents)["\n  mutation CreatePanel($input: CreatePanelInput!) {\n    createPanel(input: $input) {\n      id\n      slug\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Picture($id: ID!) {\n    picture(id: $id) {\n      ...PictureCardFields\n      tags\n      url\n      contentType\n      byteSize\n    }\n  }\n"): (typeof documents)["\n  query Picture($id: ID!) {\n    picture(id: $id) {\n      ...PictureCardFields\n      tags\n      url\n      contentType\n      byteSize\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeletePicture($id: ID!) {\n    deletePicture(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeletePicture($id: ID!) {\n    deletePicture(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Pictures($first: Int!, $after: String, $ownerId: ID, $tag: String) {\n    pictures(first: $first, after: $after, ownerId: $ownerId, tag: $tag) {\n      edges {\n        node {\n          ...PictureCardFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Pictures($first: Int!, $after: String, $ownerId: ID, $tag: String) {\n    pictures(first: $first, after: $after, ownerId: $ownerId, tag: $tag) {\n      edges {\n        node {\n          ...PictureCardFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PictureOwner($handle: String!) {\n    user(handle: $handle) {\n      ...UserNameFields\n    }\n  }\n"): (typeof documents)["\n  query PictureOwner($handle: String!) {\n    user(handle: $handle) {\n      ...UserNameFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Post($id: ID!, $first: Int!, $after: String) {\n    post(id: $id) {\n      id\n      title\n      body\n      tags\n      createdAt\n      updatedAt\n      commentCount\n      author {\n        ...UserNameFields\n      }\n      panel {\n        id\n        slug\n        name\n      }\n      comments(first: $first, after: $after) {\n        edges {\n          node {\n            ...CommentFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Post($id: ID!, $first: Int!, $after: String) {\n    post(id: $id) {\n      id\n      title\n      body\n      tags\n      createdAt\n      updatedAt\n      commentCount\n      author {\n        ...UserNameFields\n      }\n      panel {\n        id\n        slug\n        name\n      }\n      comments(first: $first, after: $after) {\n        edges {\n          node {\n            ...CommentFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription PostCommentAdded($postId: ID!) {\n    commentAdded(postId: $postId) {\n      ...CommentFields\n    }\n  }\n"): (typeof documents)["\n  subscription PostCommentAdded($postId: ID!) {\n    commentAdded(postId: $postId) {\n      ...CommentFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdatePost($id: ID!, $input: UpdatePostInput!) {\n    updatePost(id: $id, input: $input) {\n      id\n      title\n      body\n      tags\n      updatedAt\n    }\n  }\n"): (typeof documents)["\n  mutation UpdatePost($id: ID!, $input: UpdatePostInput!) {\n    updatePost(id: $id, input: $input) {\n      id\n      title\n      body\n      tags\n      updatedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeletePost($id: ID!) {\n    deletePost(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeletePost($id: ID!) {\n    deletePost(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddComment($input: AddCommentInput!) {\n    addComment(input: $input) {\n      ...CommentFields\n    }\n  }\n"): (typeof documents)["\n  mutation AddComment($input: AddCommentInput!) {\n    addComment(input: $input) {\n      ...CommentFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateComment($id: ID!, $body: String!) {\n    updateComment(id: $id, body: $body) {\n      id\n      body\n      updatedAt\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateComment($id: ID!, $body: String!) {\n    updateComment(id: $id, body: $body) {\n      id\n      body\n      updatedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteComment($id: ID!) {\n    deleteComment(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteComment($id: ID!) {\n    deleteComment(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Profile($handle: String!, $first: Int!, $after: String) {\n    user(handle: $handle) {\n      ...UserNameFields\n      bio\n      createdAt\n      followerCount\n      followingCount\n      viewerIsFollowing\n      viewerHasBlocked\n      posts(first: $first, after: $after) {\n        edges {\n          node {\n            ...PostItemFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Profile($handle: String!, $first: Int!, $after: String) {\n    user(handle: $handle) {\n      ...UserNameFields\n      bio\n      createdAt\n      followerCount\n      followingCount\n      viewerIsFollowing\n      viewerHasBlocked\n      posts(first: $first, after: $after) {\n        edges {\n          node {\n            ...PostItemFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProfilePictures($userId: ID!) {\n    pictures(first: 8, ownerId: $userId) {\n      edges {\n        node {\n          ...PictureCardFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n  }\n"): (typeof documents)["\n  query ProfilePictures($userId: ID!) {\n    pictures(first: 8, ownerId: $userId) {\n      edges {\n        node {\n          ...PictureCardFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Follow($userId: ID!) {\n    follow(userId: $userId) {\n      id\n      followerCount\n      viewerIsFollowing\n      viewerHasBlocked\n    }\n  }\n"): (typeof documents)["\n  mutation Follow($userId: ID!) {\n    follow(userId: $userId) {\n      id\n      followerCount\n      viewerIsFollowing\n      viewerHasBlocked\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Unfollow($userId: ID!) {\n    unfollow(userId: $userId) {\n      id\n      followerCount\n      viewerIsFollowing\n      viewerHasBlocked\n    }\n  }\n"): (typeof documents)["\n  mutation Unfollow($userId: ID!) {\n    unfollow(userId: $userId) {\n      id\n      followerCount\n      viewerIsFollowing\n      viewerHasBlocked\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Block($userId: ID!) {\n    block(userId: $userId) {\n      id\n      followerCount\n      followingCount\n      viewerIsFollowing\n      viewerHasBlocked\n    }\n  }\n"): (typeof documents)["\n  mutation Block($userId: ID!) {\n    block(userId: $userId) {\n      id\n      followerCount\n      followingCount\n      viewerIsFollowing\n      viewerHasBlocked\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Unblock($userId: ID!) {\n    unblock(userId: $userId) {\n      id\n      followerCount\n      viewerIsFollowing\n      viewerHasBlocked\n    }\n  }\n"): (typeof documents)["\n  mutation Unblock($userId: ID!) {\n    unblock(userId: $userId) {\n      id\n      followerCount\n      viewerIsFollowing\n      viewerHasBlocked\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Search($query: String!, $types: [SearchType!], $tags: [String!], $first: Int!, $after: String) {\n    search(query: $query, types: $types, tags: $tags, first: $first, after: $after) {\n      totalCount\n      correctedQuery\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        highlight\n        node {\n          __typename\n          ... on Post {\n            id\n            title\n            tags\n            createdAt\n            author {\n              ...UserNameFields\n            }\n          }\n          ... on Comment {\n            id\n            createdAt\n            post {\n              id\n              title\n            }\n            author {\n              ...UserNameFields\n            }\n          }\n          ... on Picture {\n            id\n            title\n            tags\n            createdAt\n            owner {\n              ...UserNameFields\n            }\n          }\n          ... on User {\n            id\n            handle\n            displayName\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Search($query: String!, $types: [SearchType!], $tags: [String!], $first: Int!, $after: String) {\n    search(query: $query, types: $types, tags: $tags, first: $first, after: $after) {\n      totalCount\n      correctedQuery\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        highlight\n        node {\n          __typename\n          ... on Post {\n            id\n            title\n            tags\n            createdAt\n            author {\n              ...UserNameFields\n            }\n          }\n          ... on Comment {\n            id\n            createdAt\n            post {\n              id\n              title\n            }\n            author {\n              ...UserNameFields\n            }\n          }\n          ... on Picture {\n            id\n            title\n            tags\n            createdAt\n            owner {\n              ...UserNameFields\n            }\n          }\n          ... on User {\n            id\n            handle\n            displayName\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TagSuggestions($prefix: String!, $first: Int) {\n    tagSuggestions(prefix: $prefix, first: $first) {\n      tag\n      count\n    }\n  }\n"): (typeof documents)["\n  query TagSuggestions($prefix: String!, $first: Int) {\n    tagSuggestions(prefix: $prefix, first: $first) {\n      tag\n      count\n    }\n  }\n"];
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
export function graphql(source: "\n  mutation Unsubscribe($token: String!) {\n    unsubscribe(token: $token)\n  }\n"): (typeof documents)["\n  mutation Unsubscribe($token: String!) {\n    unsubscribe(token: $token)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token)\n  }\n"): (typeof documents)["\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminUsage($from: DateTime!, $interval: ApiUsageInterval!) {\n    apiUsage(from: $from, interval: $interval) {\n      from\n      to\n      interval\n      totalCalls\n      errorCount\n      errorRate\n      p50Ms\n      p95Ms\n      p99Ms\n      timeseries {\n        at\n        count\n        errors\n        p95Ms\n      }\n      byOperation(first: 10) {\n        name\n        type\n        count\n        errors\n        errorRate\n        p95Ms\n      }\n      byClient(first: 10) {\n        name\n        version\n        count\n        errors\n        p95Ms\n      }\n    }\n  }\n"): (typeof documents)["\n  query AdminUsage($from: DateTime!, $interval: ApiUsageInterval!) {\n    apiUsage(from: $from, interval: $interval) {\n      from\n      to\n      interval\n      totalCalls\n      errorCount\n      errorRate\n      p50Ms\n      p95Ms\n      p99Ms\n      timeseries {\n        at\n        count\n        errors\n        p95Ms\n      }\n      byOperation(first: 10) {\n        name\n        type\n        count\n        errors\n        errorRate\n        p95Ms\n      }\n      byClient(first: 10) {\n        name\n        version\n        count\n        errors\n        p95Ms\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription AdminUsageUpdated($interval: ApiUsageInterval!) {\n    apiUsageUpdated(interval: $interval) {\n      from\n      totalCalls\n      errorCount\n      p95Ms\n      byOperation(first: 20) {\n        name\n        count\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription AdminUsageUpdated($interval: ApiUsageInterval!) {\n    apiUsageUpdated(interval: $interval) {\n      from\n      totalCalls\n      errorCount\n      p95Ms\n      byOperation(first: 20) {\n        name\n        count\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminRecentCalls($first: Int!, $after: String, $operationName: String, $outcome: ApiCallOutcome) {\n    recentApiCalls(first: $first, after: $after, operationName: $operationName, outcome: $outcome) {\n      edges {\n        cursor\n        node {\n          id\n          at\n          phase\n          transport\n          operationName\n          operationType\n          clientName\n          clientVersion\n          user {\n            id\n            handle\n          }\n          durationMs\n          outcome\n          errorCodes\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query AdminRecentCalls($first: Int!, $after: String, $operationName: String, $outcome: ApiCallOutcome) {\n    recentApiCalls(first: $first, after: $after, operationName: $operationName, outcome: $outcome) {\n      edges {\n        cursor\n        node {\n          id\n          at\n          phase\n          transport\n          operationName\n          operationType\n          clientName\n          clientVersion\n          user {\n            id\n            handle\n          }\n          durationMs\n          outcome\n          errorCodes\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
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