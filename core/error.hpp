#pragma once

#include <stdexcept>
#include <string>

namespace ganglion {

// Something a user can fix: bad model file, bad option, missing file.
class error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A bad key or value in the model file. `path` is a JSON path such as
// `projections[2].connector.p_connect`.
class model_file_error : public error {
  public:
    model_file_error(std::string path, std::string problem)
        : error(path.empty() ? problem : path + ": " + problem),
          path_(std::move(path)),
          problem_(std::move(problem)) {}
    const std::string& path() const { return path_; }
    const std::string& problem() const { return problem_; }

  private:
    std::string path_;
    std::string problem_;
};

// A model parameter outside its allowed range, thrown by a model's validate().
// The model file reader turns it into a model_file_error with the JSON path.
class parameter_error : public error {
  public:
    parameter_error(std::string model, std::string parameter, std::string problem)
        : error(model + " parameter '" + parameter + "': " + problem),
          model_(std::move(model)),
          parameter_(std::move(parameter)),
          problem_(std::move(problem)) {}
    const std::string& model() const { return model_; }
    const std::string& parameter() const { return parameter_; }
    const std::string& problem() const { return problem_; }

  private:
    std::string model_;
    std::string parameter_;
    std::string problem_;
};

// A bug in ganglion, never the user's fault.
class internal_error : public std::logic_error {
  public:
    using std::logic_error::logic_error;
};

}  // namespace ganglion
