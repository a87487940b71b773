package tech.plumeintel.shuzhi.api.user;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tech.plumeintel.shuzhi.api.contentsecurity.ProfileCheck;
import tech.plumeintel.shuzhi.api.user.UserAccount.UserView;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.api.web.Caller;

/** The reader's own profile. */
@RestController
@RequestMapping("/api/user/profile/")
class ProfileController {

  private final UserAccounts users;
  private final ProfileCheck profileCheck;

  ProfileController(UserAccounts users, ProfileCheck profileCheck) {
    this.users = users;
    this.profileCheck = profileCheck;
  }

  @GetMapping
  UserView profile(Caller caller) {
    return users.find(caller.userId()).map(UserAccount::view).orElseThrow(ProfileController::gone);
  }

  @PutMapping
  UserView update(Caller caller, @Valid @RequestBody ProfileUpdate update) {
    var nickname = update.nickname().strip();
    // Content security (#17): WeChat checks the nickname, the avatar's host is on our list.
    profileCheck.requireAllowed(caller.userId(), nickname, update.avatarUrl());
    return users
        .updateProfile(caller.userId(), nickname, update.avatarUrl())
        .map(UserAccount::view)
        .orElseThrow(ProfileController::gone);
  }

  private static ApiException gone() {
    return ApiException.unauthorized("用户不存在，请重新登录");
  }

  /**
   * Nicknames are shown to the reader only, but still: no control characters, no overlong names, no
   * unpaired surrogates (valid as a JSON escape, not as text: Mongo would store a {@code ?}).
   * Avatars are loaded by the mini-program, which only loads https images.
   */
  record ProfileUpdate(
      @NotNull
          @Size(max = 32)
          @Pattern(regexp = "[^\\p{Cc}\\p{Cs}\\p{Zl}\\p{Zp}\\u202A-\\u202E\\u2066-\\u2069]*")
          String nickname,
      @NotNull @Size(max = 512) @Pattern(regexp = "(https://[^\\s\\p{Cc}\\p{Cs}]+)?")
          String avatarUrl) {}
}
