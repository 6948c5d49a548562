-- v2 (compatible with v1+): Friend requests

-- Friend requests WeChat delivered (MsgType 37 from fmessage), kept so that
-- the user can accept one later, after a bridge restart too. num is the
-- number the user accepts a request by: per login, never reused. requester
-- identifies the person (their real id when WeChat sends it, else the
-- session UserName), so a request delivered twice is one row. user_name and
-- ticket are what webwxverifyuser needs; both only work in the session whose
-- self UserName is self_user_name.
CREATE TABLE wechat_friend_request (
	login_id       TEXT   NOT NULL,
	num            BIGINT NOT NULL,
	requester      TEXT   NOT NULL,
	user_name      TEXT   NOT NULL,
	ticket         TEXT   NOT NULL,
	self_user_name TEXT   NOT NULL DEFAULT '',
	nick_name      TEXT   NOT NULL DEFAULT '',
	alias          TEXT   NOT NULL DEFAULT '',
	province       TEXT   NOT NULL DEFAULT '',
	city           TEXT   NOT NULL DEFAULT '',
	greeting       TEXT   NOT NULL DEFAULT '',
	state          TEXT   NOT NULL DEFAULT 'pending',
	received_at    BIGINT NOT NULL,
	updated_at     BIGINT NOT NULL,

	PRIMARY KEY (login_id, num),
	CONSTRAINT wechat_friend_request_num_check CHECK (num > 0),
	CONSTRAINT wechat_friend_request_state_check CHECK (state IN ('pending', 'accepted', 'expired'))
);

CREATE UNIQUE INDEX wechat_friend_request_requester_idx ON wechat_friend_request (login_id, requester);
