#include "sim/io/text_dataset.hpp"

#include "sim/io/cf_attributes.hpp"

namespace stackrace {

h5::Dataset write_text(h5::File& file, const std::string& name, const std::string& text, const std::string& long_name) {
  h5::Dataset dataset = file.create_dataset<std::string>(name, {});
  dataset.write(std::vector<std::string>{text});
  cf::describe(dataset, long_name);
  return dataset;
}

std::string read_text(const h5::File& file, const std::string& name) {
  if (!file.contains(name)) return "";
  const std::vector<std::string> text = file.dataset(name).read<std::string>();
  return text.size() == 1 ? text.front() : "";
}

}  // namespace stackrace
