#include "queue/redis_scripts.h"

#include <openssl/evp.h>

#include <array>
#include <cstdio>

#include "queue/redis_lua.h"

namespace sluice {
namespace {

std::string sha1_hex(const std::string& text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), md, &len, EVP_sha1(), nullptr);
  std::string out;
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", md[i]);
    out += buf;
  }
  return out;
}

RedisScript make(const char* name, const char* body) {
  std::string text = std::string(lua::kRedisLua_common) + "\n" + body;
  std::string sha = sha1_hex(text);
  return RedisScript{name, std::move(text), std::move(sha)};
}

const std::array<RedisScript, 8>& all_scripts() {
  static const std::array<RedisScript, 8> scripts = {
      make("enqueue.lua", lua::kRedisLua_enqueue),
      make("lease_host.lua", lua::kRedisLua_lease_host),
      make("apply.lua", lua::kRedisLua_apply),
      make("reclaim_host.lua", lua::kRedisLua_reclaim_host),
      make("renew_host.lua", lua::kRedisLua_renew_host),
      make("replay.lua", lua::kRedisLua_replay),
      make("stats.lua", lua::kRedisLua_stats),
      make("scan_page.lua", lua::kRedisLua_scan_page),
  };
  return scripts;
}

RedisArgs eval_args(const char* verb, const std::string& body, const RedisScriptCall& call) {
  RedisArgs out{verb, body, std::to_string(call.keys.size())};
  out.insert(out.end(), call.keys.begin(), call.keys.end());
  out.insert(out.end(), call.args.begin(), call.args.end());
  return out;
}

bool is_noscript(const RedisReply& r) {
  return r && r->type == REDIS_REPLY_ERROR && reply_text(r.get()).rfind("NOSCRIPT", 0) == 0;
}

}  // namespace

const RedisScript& redis_script(RedisScriptId id) { return all_scripts()[static_cast<size_t>(id)]; }

RedisScript make_redis_script(const char* name, std::string text) {
  std::string sha = sha1_hex(text);
  return RedisScript{name, std::move(text), std::move(sha)};
}

Result<RedisReply> run_script(RedisConnection& conn, const RedisScript& script,
                              const RedisArgs& keys, const RedisArgs& args) {
  RedisArgs cmd{"EVALSHA", script.sha1, std::to_string(keys.size())};
  cmd.insert(cmd.end(), keys.begin(), keys.end());
  cmd.insert(cmd.end(), args.begin(), args.end());
  auto r = conn.command(cmd);
  if (!r.ok()) return r.error();
  if (is_noscript(*r)) {
    cmd[0] = "EVAL";
    cmd[1] = script.text;
    r = conn.command(cmd);
    if (!r.ok()) return r.error();
  }
  if (Status s = reply_error(r->get(), std::string("script ") + script.name, conn.address());
      !s.ok()) {
    return s.error();
  }
  return r;
}

Result<RedisReply> run_script(RedisConnection& conn, const RedisScriptCall& call) {
  auto replies = run_scripts(conn, {call});
  if (!replies.ok()) return replies.error();
  return std::move(replies->front());
}

Result<std::vector<RedisReply>> run_scripts(RedisConnection& conn,
                                            const std::vector<RedisScriptCall>& calls) {
  std::vector<RedisArgs> commands;
  commands.reserve(calls.size());
  for (const RedisScriptCall& c : calls) {
    commands.push_back(eval_args("EVALSHA", redis_script(c.id).sha1, c));
  }
  auto replies = conn.pipeline(commands);
  if (!replies.ok()) return replies.error();
  for (size_t i = 0; i < calls.size(); ++i) {
    const RedisScript& script = redis_script(calls[i].id);
    if (is_noscript((*replies)[i])) {
      auto again = conn.command(eval_args("EVAL", script.text, calls[i]));
      if (!again.ok()) return again.error();
      (*replies)[i] = std::move(*again);
    }
    if (Status s =
            reply_error((*replies)[i].get(), std::string("script ") + script.name, conn.address());
        !s.ok()) {
      return s.error();
    }
  }
  return replies;
}

}  // namespace sluice
