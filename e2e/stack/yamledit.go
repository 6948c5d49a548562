package stack

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// YAMLFile is a YAML file (a config or registration) edited as a node
// tree, so that the keys the stack does not touch keep their order and
// comments.
type YAMLFile struct {
	path string
	doc  yaml.Node
}

// LoadYAML reads a YAML file whose top level is a mapping.
func LoadYAML(path string) (*YAMLFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f := &YAMLFile{path: path}
	if err = yaml.Unmarshal(data, &f.doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if f.doc.Kind != yaml.DocumentNode || len(f.doc.Content) != 1 || f.doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: not a YAML mapping", path)
	}
	return f, nil
}

// Set sets the value at a dotted path ("network.login_mode"), creating
// missing mappings on the way.
func (f *YAMLFile) Set(path string, value any) error {
	var val yaml.Node
	if err := val.Encode(value); err != nil {
		return fmt.Errorf("%s: encoding %s: %w", f.path, path, err)
	}
	node := f.doc.Content[0]
	keys := strings.Split(path, ".")
	for i, key := range keys {
		if node.Kind != yaml.MappingNode {
			return fmt.Errorf("%s: %s is not a mapping", f.path, strings.Join(keys[:i], "."))
		}
		child := mappingValue(node, key)
		if child == nil {
			child = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			node.Content = append(node.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, child)
		}
		if i == len(keys)-1 {
			head, line := child.HeadComment, child.LineComment
			*child = val
			child.HeadComment, child.LineComment = head, line
			return nil
		}
		node = child
	}
	return nil
}

// SetAll applies Set for every entry.
func (f *YAMLFile) SetAll(values map[string]any) error {
	for path, v := range values {
		if err := f.Set(path, v); err != nil {
			return err
		}
	}
	return nil
}

// String returns the scalar at a dotted path, or "".
func (f *YAMLFile) String(path string) string {
	node := f.doc.Content[0]
	for _, key := range strings.Split(path, ".") {
		if node = mappingValue(node, key); node == nil {
			return ""
		}
	}
	if node.Kind != yaml.ScalarNode {
		return ""
	}
	return node.Value
}

// Save writes the file back.
func (f *YAMLFile) Save() error {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(4)
	if err := enc.Encode(&f.doc); err != nil {
		return fmt.Errorf("%s: %w", f.path, err)
	}
	if err := enc.Close(); err != nil {
		return err
	}
	return os.WriteFile(f.path, buf.Bytes(), 0o600)
}

// mappingValue returns the value of key in a mapping node, or nil.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}
